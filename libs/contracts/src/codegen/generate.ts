/**
 * Turns schemas/*.avsc and topics.json into TypeScript: one interface per record, a const object
 * plus a union type per enum, and the stream table with literal types. Pure (reads files, returns
 * strings) so the drift test can compare its output with the committed files. The output is
 * already in Prettier's format so `prettier --check` passes on it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const WIDTH = 100;

interface TopicsFile {
  namespace: string;
  subjectSuffix: string;
  dlqSuffix: string;
  keySeparator: string;
  streams: Record<
    string,
    {
      topic: string;
      schema: string;
      key: string[];
      partitions: number;
      /** topic configs set at creation, e.g. cleanup.policy */
      configs?: Record<string, string>;
    }
  >;
}

type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };

interface NamedDecl {
  fullName: string;
  name: string;
  canonical: string;
  code: string;
}

export interface GeneratedFiles {
  'types.ts': string;
  'streams.ts': string;
}

const HEADER = [
  '// GENERATED from libs/contracts/schemas/*.avsc and topics.json by scripts/generate-types.js.',
  '// Do not edit: change the schema, then run `pnpm --filter @citypulse/contracts generate`.',
];

const PRIMITIVES: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

function doc(text: unknown, indent: string): string[] {
  if (typeof text !== 'string' || text.trim() === '') return [];
  return [`${indent}/** ${text.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim()} */`];
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `[a, b]` on one line when it fits, else one item per line, as Prettier prints it. */
function list(items: string[], indent: string, prefix: string, suffix: string): string {
  const oneLine = `${indent}${prefix}[${items.join(', ')}]${suffix}`;
  if (oneLine.length <= WIDTH) return oneLine;
  return [
    `${indent}${prefix}[`,
    ...items.map((i) => `${indent}  ${i},`),
    `${indent}]${suffix}`,
  ].join('\n');
}

class TypeCollector {
  readonly decls = new Map<string, NamedDecl>();

  constructor(private readonly file: string) {}

  private fullName(name: string, namespace: string | undefined): string {
    return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
  }

  private shortName(fullName: string): string {
    return fullName.slice(fullName.lastIndexOf('.') + 1);
  }

  private add(decl: NamedDecl): void {
    const existing = this.decls.get(decl.fullName);
    if (existing && existing.canonical !== decl.canonical) {
      throw new Error(`${this.file}: ${decl.fullName} is defined differently elsewhere`);
    }
    this.decls.set(decl.fullName, decl);
  }

  /** The TypeScript type expression of an Avro schema, declaring named types on the way. */
  tsType(schema: AvroSchema, namespace: string | undefined): string {
    if (typeof schema === 'string') {
      if (schema in PRIMITIVES) return PRIMITIVES[schema];
      const full = this.fullName(schema, namespace);
      const known = this.decls.get(full) ?? this.decls.get(schema);
      if (!known) throw new Error(`${this.file}: unknown type ${schema}`);
      return known.name;
    }
    if (Array.isArray(schema)) {
      return schema.map((s) => this.tsType(s, namespace)).join(' | ');
    }
    const type = schema.type as AvroSchema;
    if (typeof type !== 'string') return this.tsType(type, namespace);
    switch (type) {
      case 'record':
      case 'error':
        return this.record(schema, namespace);
      case 'enum':
        return this.enumeration(schema, namespace);
      case 'fixed':
        return this.named(schema, namespace, 'Buffer');
      case 'array':
        return `Array<${this.tsType(schema.items as AvroSchema, namespace)}>`;
      case 'map':
        return `Record<string, ${this.tsType(schema.values as AvroSchema, namespace)}>`;
      default:
        return this.tsType(type, namespace);
    }
  }

  private named(
    schema: Record<string, unknown>,
    namespace: string | undefined,
    ts: string,
  ): string {
    const fullName = this.fullName(
      schema.name as string,
      (schema.namespace as string) ?? namespace,
    );
    const name = this.shortName(fullName);
    this.add({
      fullName,
      name,
      canonical: JSON.stringify(schema),
      code: `export type ${name} = ${ts};`,
    });
    return name;
  }

  private enumeration(schema: Record<string, unknown>, namespace: string | undefined): string {
    const fullName = this.fullName(
      schema.name as string,
      (schema.namespace as string) ?? namespace,
    );
    const name = this.shortName(fullName);
    const symbols = schema.symbols as string[];
    const fallback = typeof schema.default === 'string' ? schema.default : undefined;
    const about = `${(schema.doc as string | undefined) ?? `Symbols of the Avro enum ${fullName}.`}${
      fallback ? ` Readers map unknown symbols to ${fallback}.` : ''
    }`;
    const lines = [
      ...doc(about, ''),
      `export const ${name} = {`,
      ...symbols.map((s) => `  ${s}: ${quote(s)},`),
      '} as const;',
      `export type ${name} = (typeof ${name})[keyof typeof ${name}];`,
    ];
    this.add({
      fullName,
      name,
      canonical: JSON.stringify({ symbols, default: fallback }),
      code: lines.join('\n'),
    });
    return name;
  }

  private record(schema: Record<string, unknown>, namespace: string | undefined): string {
    const ns = (schema.namespace as string) ?? namespace;
    const fullName = this.fullName(schema.name as string, ns);
    const name = this.shortName(fullName);
    const fieldNs = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : ns;
    const fields = schema.fields as Array<Record<string, unknown>>;
    const body: string[] = [];
    for (const field of fields) {
      const fieldType = field.type as AvroSchema;
      const ts = this.tsType(fieldType, fieldNs);
      const logical =
        typeof fieldType === 'object' && !Array.isArray(fieldType)
          ? fieldType.logicalType
          : undefined;
      const given = typeof field.doc === 'string' ? field.doc : '';
      const note =
        logical === 'timestamp-millis' && !given.includes('epoch millis') ? ' (epoch millis)' : '';
      const text = `${given}${note}`.trim();
      body.push(...doc(text, '  '), `  ${field.name as string}: ${ts};`);
    }
    this.add({
      fullName,
      name,
      canonical: JSON.stringify(schema),
      code: [...doc(schema.doc, ''), `export interface ${name} {`, ...body, '}'].join('\n'),
    });
    return name;
  }
}

/** Reads topics.json and every schema under `contractsDir` and returns the generated sources. */
export function generate(contractsDir: string): GeneratedFiles {
  const topics = JSON.parse(readFileSync(join(contractsDir, 'topics.json'), 'utf8')) as TopicsFile;
  const schemaDir = join(contractsDir, 'schemas');
  const files = readdirSync(schemaDir)
    .filter((f) => f.endsWith('.avsc'))
    .sort();

  const all = new Map<string, NamedDecl>();
  const topType = new Map<string, { fullName: string; name: string }>();
  for (const file of files) {
    const schema = JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as AvroSchema;
    const collector = new TypeCollector(file);
    const name = collector.tsType(schema, undefined);
    for (const [fullName, decl] of collector.decls) {
      const existing = all.get(fullName);
      if (existing && existing.canonical !== decl.canonical) {
        throw new Error(`${file}: ${fullName} differs from its definition in another schema`);
      }
      if (!existing) {
        const clash = [...all.values()].find((d) => d.name === decl.name);
        if (clash) throw new Error(`${file}: ${fullName} and ${clash.fullName} share a name`);
        all.set(fullName, decl);
      }
    }
    const record = schema as Record<string, unknown>;
    const ns = (record.namespace as string | undefined) ?? '';
    topType.set(file, { fullName: ns ? `${ns}.${name}` : name, name });
  }

  const types = [...HEADER, '', [...all.values()].map((d) => d.code).join('\n\n'), ''].join('\n');

  const streamNames = Object.keys(topics.streams);
  const valueNames: string[] = [];
  const table: string[] = [];
  const values: string[] = [];
  for (const stream of streamNames) {
    const def = topics.streams[stream];
    const value = topType.get(def.schema);
    if (!value)
      throw new Error(`topics.json: stream ${stream} names a missing schema ${def.schema}`);
    const recordDecl = all.get(value.fullName);
    if (!recordDecl) throw new Error(`topics.json: ${def.schema} is not a named record`);
    const fields = new Set(
      (
        JSON.parse(readFileSync(join(schemaDir, def.schema), 'utf8')) as {
          fields: Array<{ name: string }>;
        }
      ).fields.map((f) => f.name),
    );
    for (const k of def.key) {
      if (!fields.has(k))
        throw new Error(`topics.json: key field ${k} of ${stream} is not in ${def.schema}`);
    }
    if (!valueNames.includes(value.name)) valueNames.push(value.name);
    table.push(
      `  ${stream}: {`,
      `    topic: ${quote(def.topic)},`,
      `    schemaFile: ${quote(def.schema)},`,
      `    valueType: ${quote(value.fullName)},`,
      list(def.key.map(quote), '    ', 'keyFields: ', ','),
      `    partitions: ${def.partitions},`,
      ...(def.configs
        ? [
            `    configs: { ${Object.entries(def.configs)
              .map(([k, v]) => `${quote(k)}: ${quote(v)}`)
              .join(', ')} },`,
          ]
        : []),
      '  },',
    );
    values.push(`  ${stream}: ${value.name};`);
  }
  const importOneLine = `import type { ${valueNames.join(', ')} } from './types';`;
  const importLines =
    importOneLine.length <= WIDTH
      ? [importOneLine]
      : ['import type {', ...valueNames.map((n) => `  ${n},`), "} from './types';"];

  const streams = [
    ...HEADER,
    '',
    ...importLines,
    '',
    `export const NAMESPACE = ${quote(topics.namespace)};`,
    `export const SUBJECT_SUFFIX = ${quote(topics.subjectSuffix)};`,
    `export const DLQ_SUFFIX = ${quote(topics.dlqSuffix)};`,
    `export const KEY_SEPARATOR = ${quote(topics.keySeparator)};`,
    '',
    '/** Every stream: its topic, value schema file, value type and key fields (topics.json). */',
    'export const STREAM_DEFINITIONS = {',
    ...table,
    '} as const;',
    '',
    '/** The generated value type of each stream. */',
    'export interface StreamValues {',
    ...values,
    '}',
    '',
  ].join('\n');

  return { 'types.ts': types, 'streams.ts': streams };
}
