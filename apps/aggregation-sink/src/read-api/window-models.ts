import { schemaOf } from '@citypulse/contracts';
import { defineModel } from '@citypulse/rest';
import type { ApiPropertyOptions } from '@nestjs/swagger';
import type { AggregateSpec, Column } from '../aggregates/aggregate-spec';
import { className } from '../aggregates/aggregates.consumer';
import { viewColumns } from './read-queries';
import { MAX_ID_LENGTH } from './windows-request';

/**
 * The OpenAPI models of an aggregate's REST answers, made from its spec like the routes and the
 * queries are: a window's properties are the spec's view columns (the contract's fields without
 * event_id and event_time) with the contract's docs, so a field added to the .avsc shows up in
 * the document with nothing written again. What the sink checked before storing (spec and
 * contract: numbers >= 0 unless signed, percentages 0-100, enum symbols) is stated as the
 * schema's bounds.
 */
export interface WindowModels {
  /** one window */
  window: ReturnType<typeof defineModel>;
  /** GET .../windows: the series fields, a page of windows and the next page's from */
  page: ReturnType<typeof defineModel>;
  /** GET /<route>/latest: {windows} (or the window itself for an aggregate without series) */
  latest: ReturnType<typeof defineModel>;
}

/** The contract's doc of each field (the .avsc `doc`). */
function contractDocs(spec: AggregateSpec): Map<string, string> {
  const schema = schemaOf(spec.stream) as { fields?: Array<{ name: string; doc?: string }> };
  return new Map((schema.fields ?? []).flatMap((f) => (f.doc ? [[f.name, f.doc]] : [])));
}

/** The OpenAPI property of a stored column, as the REST API shows it. */
export function columnProperty(
  spec: AggregateSpec,
  c: Column,
  doc: string | undefined,
): ApiPropertyOptions {
  const min = spec.signed.has(c.name) ? {} : { minimum: 0 };
  const max = spec.percent.has(c.name) ? { maximum: 100 } : {};
  const base = ((): ApiPropertyOptions => {
    switch (c.kind) {
      case 'time':
        return { type: 'string', format: 'date-time' };
      case 'text':
        return { type: 'string' };
      case 'enum':
        return { type: 'string', enum: [...(c.symbols ?? [])] };
      case 'double':
        return { type: 'number', format: 'double', ...min, ...max };
      case 'integer':
        return { type: 'integer', format: c.pg === 'int' ? 'int32' : 'int64', ...min, ...max };
      case 'boolean':
        return { type: 'boolean' };
    }
  })();
  // the contract's times are epoch millis; the API shows them as ISO-8601 text
  const description =
    c.kind === 'time' && doc
      ? doc.includes('epoch millis')
        ? doc.replace(/epoch millis/, 'ISO-8601')
        : `${doc} (ISO-8601, UTC)`
      : doc;
  return {
    ...base,
    ...(description && { description }),
    ...(c.nullable && { nullable: true }),
  };
}

/** The schema of a series field as a path parameter and as an answer's property. */
export function seriesFieldSchema(spec: AggregateSpec, field: string) {
  const symbols = spec.columns.find((c) => c.name === field)?.symbols;
  return symbols
    ? { type: 'string' as const, enum: [...symbols] }
    : { type: 'string' as const, minLength: 1, maxLength: MAX_ID_LENGTH };
}

export function windowModels(spec: AggregateSpec): WindowModels {
  const base = className(spec.name);
  const docs = contractDocs(spec);
  const window = defineModel(
    `${base}Window`,
    Object.fromEntries(
      viewColumns(spec).map((c) => [c.name, columnProperty(spec, c, docs.get(c.name))]),
    ),
  );
  const page = defineModel(`${base}WindowsPage`, {
    ...Object.fromEntries(
      spec.seriesFields.map((f) => [
        f,
        { ...seriesFieldSchema(spec, f), description: `the series asked for (canonical)` },
      ]),
    ),
    windows: {
      type: window,
      isArray: true,
      description: 'oldest first (ascending window_start), at most limit',
    },
    next_from: {
      type: 'string',
      format: 'date-time',
      nullable: true,
      description:
        'The from of the next page (the last window_start + 1 ms, same to and limit); null when ' +
        'this page holds the last windows of the range.',
    },
  });
  const latest =
    spec.seriesFields.length === 0
      ? window
      : defineModel(`${base}Latest`, {
          windows: {
            type: window,
            isArray: true,
            description: `the latest window of every series, ordered by ${spec.seriesFields.join(', ')}`,
          },
        });
  return { window, page, latest };
}
