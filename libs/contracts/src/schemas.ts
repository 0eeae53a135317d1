import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as avro from 'avsc';
import { SCHEMAS_DIR } from './paths';
import { STREAM_DEFINITIONS, type StreamName, type StreamValues } from './topics';

/** An Avro schema as parsed JSON (what a .avsc file holds). */
export type AvroSchemaJson = avro.Schema;

const rawCache = new Map<string, string>();
const typeCache = new Map<string, avro.Type>();

/** The text of a .avsc file in schemas/ (e.g. 'traffic-reading-raw.avsc'), as committed. */
export function schemaText(file: string): string {
  let text = rawCache.get(file);
  if (text === undefined) {
    text = readFileSync(join(SCHEMAS_DIR, file), 'utf8');
    rawCache.set(file, text);
  }
  return text;
}

/** The value schema of a stream as JSON: what to register in the schema registry. */
export function schemaOf(stream: StreamName): AvroSchemaJson {
  return JSON.parse(schemaText(STREAM_DEFINITIONS[stream].schemaFile)) as AvroSchemaJson;
}

/** The value schema of a stream as a compact JSON string. */
export function schemaStringOf(stream: StreamName): string {
  return JSON.stringify(schemaOf(stream));
}

/**
 * The avsc Type of a stream's values (parsed once). Logical types are not mapped: timestamp-millis
 * values are numbers (epoch millis), as in the generated TypeScript types.
 */
export function avroTypeOf<S extends StreamName>(
  stream: S,
): avro.Type & AvroCodec<StreamValues[S]> {
  let type = typeCache.get(stream);
  if (!type) {
    type = avro.Type.forSchema(schemaOf(stream));
    typeCache.set(stream, type);
  }
  return type as avro.Type & AvroCodec<StreamValues[S]>;
}

/** The typed subset of an avsc Type used to encode and decode one stream's values. */
export interface AvroCodec<T> {
  toBuffer(value: T): Buffer;
  fromBuffer(
    buffer: Buffer,
    resolver?: ReturnType<avro.Type['createResolver']>,
    noCheck?: boolean,
  ): T;
  isValid(
    value: unknown,
    opts?: { errorHook?: (path: string[], value: unknown, type: avro.Type) => void },
  ): value is T;
}
