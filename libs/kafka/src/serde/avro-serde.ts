import * as avro from 'avsc';
import { DecodeError, KafkaLibError } from '../errors';
import {
  encodeFrame,
  FRAME_HEADER_LENGTH,
  frameSchemaId,
  MAGIC_BYTE,
} from '../wire/confluent-frame';
import { SchemaRegistryError, type SchemaRegistryClient } from '@citypulse/contracts';

/** An Avro schema as JSON (the parsed content of an .avsc file) or its text. */
export type AvroSchema = avro.Schema | string;

/** The registry calls the serde needs; SchemaRegistryClient implements them. */
export type RegistryApi = Pick<SchemaRegistryClient, 'schemaById' | 'register' | 'latest'>;

export interface Decoded<T> {
  value: T;
  schemaId: number;
}

/** The largest buffer `encodeAll` starts with (a larger record gets a chunk of its own size). */
const ENCODE_CHUNK_BYTES = 256 * 1024;

/** The registry subject of a topic's values (Confluent TopicNameStrategy). */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/**
 * Confluent Avro serde with schemas cached by id: the registry is asked once per schema id (and
 * once per subject), after which encode and decode are synchronous and allocation-light.
 */
export class AvroSerde {
  private readonly types = new Map<number, avro.Type>();
  private readonly pendingTypes = new Map<number, Promise<avro.Type>>();
  private readonly subjectIds = new Map<string, Promise<number>>();
  /** writer id -> resolver, per reader type. */
  private readonly resolvers = new WeakMap<avro.Type, Map<number, avro.Resolver | null>>();

  constructor(
    private readonly registry: RegistryApi,
    private readonly parseOptions: Partial<avro.ForSchemaOptions> = {},
  ) {}

  /** Parses a schema into an avsc Type with this serde's options. */
  parse(schema: AvroSchema): avro.Type {
    const json: avro.Schema =
      typeof schema === 'string' ? (JSON.parse(schema) as avro.Schema) : schema;
    // A fresh options object each time: avsc keeps named types in `opts.registry`, and the same
    // record name in two schema versions must not clash.
    return avro.Type.forSchema(json, { ...this.parseOptions, registry: {} });
  }

  /** The writer type of a schema id if it is cached: the synchronous fast path. */
  cachedType(schemaId: number): avro.Type | undefined {
    return this.types.get(schemaId);
  }

  /** The writer type of a schema id, fetched from the registry once (concurrent callers share the call). */
  async typeFor(schemaId: number): Promise<avro.Type> {
    const hit = this.types.get(schemaId);
    if (hit) return hit;
    let pending = this.pendingTypes.get(schemaId);
    if (!pending) {
      pending = this.fetchType(schemaId).finally(() => this.pendingTypes.delete(schemaId));
      this.pendingTypes.set(schemaId, pending);
    }
    return pending;
  }

  private async fetchType(schemaId: number): Promise<avro.Type> {
    let res: { schema: string; schemaType?: string };
    try {
      res = await this.registry.schemaById(schemaId);
    } catch (e) {
      if (e instanceof SchemaRegistryError && e.notFound) {
        throw new DecodeError('UNKNOWN_SCHEMA', `schema id ${schemaId} is not in the registry`, {
          schemaId,
          cause: e,
        });
      }
      throw e;
    }
    if (res.schemaType && res.schemaType !== 'AVRO') {
      throw new DecodeError(
        'UNKNOWN_SCHEMA',
        `schema id ${schemaId} is ${res.schemaType}, not AVRO`,
        { schemaId },
      );
    }
    const type = this.parse(res.schema);
    this.types.set(schemaId, type);
    return type;
  }

  /**
   * Registers `schema` under `subject` (idempotent in the registry: an identical schema gets its
   * existing id) once per process, and caches the type under the returned id.
   */
  async register(subject: string, schema: AvroSchema): Promise<number> {
    const text = typeof schema === 'string' ? schema : JSON.stringify(schema);
    const key = `${subject}\u0000${text}`;
    let id = this.subjectIds.get(key);
    if (!id) {
      id = this.registry.register(subject, text).then((schemaId) => {
        if (!this.types.has(schemaId)) this.types.set(schemaId, this.parse(schema));
        return schemaId;
      });
      id.catch(() => this.subjectIds.delete(key));
      this.subjectIds.set(key, id);
    }
    return id;
  }

  /** The id of the latest schema registered under `subject`, looked up once per process. */
  async latestId(subject: string): Promise<number> {
    const key = `${subject}\u0000latest`;
    let id = this.subjectIds.get(key);
    if (!id) {
      id = this.registry.latest(subject).then((res) => {
        if (!this.types.has(res.id)) this.types.set(res.id, this.parse(res.schema));
        return res.id;
      });
      id.catch(() => this.subjectIds.delete(key));
      this.subjectIds.set(key, id);
    }
    return id;
  }

  /** Encodes with a cached schema id (from register/latestId). Synchronous. */
  encode(schemaId: number, value: unknown): Buffer {
    const type = this.types.get(schemaId);
    if (!type)
      throw new KafkaLibError(
        'AVRO_ENCODE',
        `schema id ${schemaId} is not loaded; call register() or latestId() first`,
      );
    let payload: Buffer;
    try {
      payload = type.toBuffer(value);
    } catch (cause) {
      throw new KafkaLibError(
        'AVRO_ENCODE',
        `value does not match schema id ${schemaId}: ${(cause as Error).message}`,
        { cause },
      );
    }
    return encodeFrame(schemaId, payload);
  }

  /**
   * Encodes many values with one cached schema id into Confluent frames that share a few large
   * buffers (no zero-filled buffer and no copy per record, as `encode` makes): each frame is a
   * view of its chunk, so it stays valid as long as it is referenced. Synchronous; throws
   * AVRO_ENCODE like `encode` on the first value that does not match.
   */
  encodeAll<T>(schemaId: number, items: readonly T[], valueOf: (item: T) => unknown): Buffer[] {
    const type = this.types.get(schemaId);
    if (!type)
      throw new KafkaLibError(
        'AVRO_ENCODE',
        `schema id ${schemaId} is not loaded; call register() or latestId() first`,
      );
    const frames = new Array<Buffer>(items.length);
    // sized for ~100-byte records; a chunk too small for the rest is followed by another one
    const chunkBytes = Math.min(ENCODE_CHUNK_BYTES, Math.max(1024, items.length * 128));
    let chunk = Buffer.allocUnsafe(chunkBytes);
    let pos = 0;
    for (let i = 0; i < items.length; i++) {
      const value = valueOf(items[i]);
      for (;;) {
        // avsc writes what fits and returns how many bytes were missing (negative) when it did not
        let end = -1;
        if (pos + FRAME_HEADER_LENGTH < chunk.length) {
          try {
            end = type.encode(value, chunk, pos + FRAME_HEADER_LENGTH);
          } catch (cause) {
            throw new KafkaLibError(
              'AVRO_ENCODE',
              `value does not match schema id ${schemaId}: ${(cause as Error).message}`,
              { cause },
            );
          }
        }
        if (end > 0) {
          chunk[pos] = MAGIC_BYTE;
          chunk.writeInt32BE(schemaId, pos + 1);
          frames[i] = chunk.subarray(pos, end);
          pos = end;
          break;
        }
        // it does not fit: a new chunk (the frames already made keep the old one alive)
        const need = chunk.length - pos - end;
        chunk = Buffer.allocUnsafe(Math.max(chunkBytes, need * 2));
        pos = 0;
      }
    }
    return frames;
  }

  /**
   * Decodes synchronously when the writer schema is cached, else returns undefined (call
   * `decode`). Throws DecodeError for a bad frame or bytes that are not valid for the schema.
   */
  decodeSync<T = unknown>(buf: Buffer | null, reader?: avro.Type): Decoded<T> | undefined {
    const schemaId = frameSchemaId(buf);
    const writer = this.types.get(schemaId);
    if (!writer) return undefined;
    return { schemaId, value: this.read<T>(writer, schemaId, buf!, reader) };
  }

  async decode<T = unknown>(buf: Buffer | null, reader?: avro.Type): Promise<Decoded<T>> {
    const schemaId = frameSchemaId(buf);
    const writer = this.types.get(schemaId) ?? (await this.typeFor(schemaId));
    return { schemaId, value: this.read<T>(writer, schemaId, buf!, reader) };
  }

  /** Reads the Avro payload after the frame's header (no view of it made), all of it. */
  private read<T>(
    writer: avro.Type,
    schemaId: number,
    frame: Buffer,
    reader: avro.Type | undefined,
  ): T {
    try {
      let type = writer;
      let resolver: avro.Resolver | undefined;
      if (reader && reader !== writer) {
        resolver = this.resolver(reader, writer, schemaId);
        type = reader;
      }
      const read = type.decode(frame, FRAME_HEADER_LENGTH, resolver);
      if (read.offset < 0) throw new Error('truncated buffer');
      if (read.offset < frame.length) throw new Error('trailing data');
      return read.value as T;
    } catch (cause) {
      throw new DecodeError(
        'AVRO_DECODE',
        `bytes are not valid Avro for schema id ${schemaId}: ${(cause as Error).message}`,
        {
          schemaId,
          cause,
        },
      );
    }
  }

  /**
   * How the reader reads what `schemaId` wrote: undefined when the two schemas are the same in
   * Avro's canonical form (the common case: the bytes are read as the reader's, no resolution).
   */
  private resolver(
    reader: avro.Type,
    writer: avro.Type,
    schemaId: number,
  ): avro.Resolver | undefined {
    let byId = this.resolvers.get(reader);
    if (!byId) {
      byId = new Map();
      this.resolvers.set(reader, byId);
    }
    let r = byId.get(schemaId);
    if (r === undefined) {
      r = reader.equals(writer) ? null : reader.createResolver(writer);
      byId.set(schemaId, r);
    }
    return r ?? undefined;
  }
}
