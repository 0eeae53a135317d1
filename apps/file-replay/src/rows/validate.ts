import type * as avro from 'avsc';
import { RowError, shown } from './row-error';

/**
 * Checks a value against the contract's Avro type (avsc `isValid`), and throws a RowError that
 * names every offending field path with its value and the type it should have.
 */
export function assertValid<T>(type: avro.Type, value: unknown): T {
  const problems: string[] = [];
  const ok = type.isValid(value, {
    errorHook: (path: string[], v: unknown, t: avro.Type) => {
      problems.push(`${path.join('.') || '(record)'}: ${shown(v)} is not ${describe(t)}`);
    },
  });
  if (!ok) throw new RowError(`not a valid ${type.name ?? 'record'}: ${problems.join('; ')}`);
  return value as T;
}

function describe(t: avro.Type): string {
  const name = t.typeName;
  if (name === 'enum') return `one of ${(t as avro.types.EnumType).symbols.join(', ')}`;
  if (name === 'union:unwrapped' || name === 'union:wrapped') {
    return `one of ${(t as avro.types.UnwrappedUnionType).types.map((u) => u.typeName).join(' | ')}`;
  }
  return `a valid ${name}`;
}
