import * as avro from 'avsc';
import { DecodeError, KafkaLibError } from '../errors';
import {
  encodeFrame,
  FRAME_HEADER_LENGTH,
  frameSchemaId,
  MAGIC_BYTE,
} from '../wire/confluent-frame';
import { SchemaRegistryError, type SchemaRegistryClient } from '@citypulse/contracts';
import { boundedTypeHook, unsafeForDecoding } from './avro-bounds';

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

/**
 * How long a schema id the registry does not know is answered from memory (UNKNOWN_SCHEMA without
 * asking again): a run of records with the same unknown id costs one registry call, and an id
 * registered meanwhile is seen within this time.
 */
export const UNKNOWN_SCHEMA_TTL_MS = 30_000;

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
  /**
   * Schema ids that are not decoded (UNKNOWN_SCHEMA): why, and until when (ms since epoch;
   * Infinity for a schema that is unusable as it is, since a registry id's schema never changes).
   */
  private readonly refused = new Map<number, { message: string; until: number }>();
  /** Types made by parse() (bounded); a reader made elsewhere is read through its parsed twin. */
  private readonly parsed = new WeakSet<avro.Type>();
  private readonly twins = new WeakMap<avro.Type, avro.Type>();

  constructor(
    private readonly registry: RegistryApi,
    private readonly parseOptions: Partial<avro.ForSchemaOptions> = {},
    /** the clock the UNKNOWN_SCHEMA memory runs on (tests) */
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Parses a schema into an avsc Type with this serde's options, its arrays and maps bounded by
   * the bytes they are read from (`boundedTypeHook`: a block count cannot make decoding loop
   * longer than the record is).
   */
  parse(schema: AvroSchema): avro.Type {
    const json: avro.Schema =
      typeof schema === 'string' ? (JSON.parse(schema) as avro.Schema) : schema;
    // A fresh options object each time: avsc keeps named types in `opts.registry`, and the same
    // record name in two schema versions must not clash.
    const type = avro.Type.forSchema(json, {
      ...this.parseOptions,
      registry: {},
      typeHook: boundedTypeHook(this.parseOptions.typeHook),
    });
    this.parsed.add(type);
    return type;
  }

  /** The writer type of a schema id if it is cached: the synchronous fast path. */
  cachedType(schemaId: number): avro.Type | undefined {
    return this.types.get(schemaId);
  }

  /**
   * The writer type of a schema id, fetched from the registry once (concurrent callers share the
   * call). DecodeError UNKNOWN_SCHEMA for an id the registry does not have (remembered for
   * UNKNOWN_SCHEMA_TTL_MS), a schema that is not Avro, or one refused as unsafe to decode (an array
   * of items that can take zero bytes: `zeroByteItems`); the last two are remembered for good.
   */
  async typeFor(schemaId: number): Promise<avro.Type> {
    this.throwIfRefused(schemaId);
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
        const message = `schema id ${schemaId} is not in the registry`;
        this.refused.set(schemaId, { message, until: this.now() + UNKNOWN_SCHEMA_TTL_MS });
        throw new DecodeError('UNKNOWN_SCHEMA', message, { schemaId, cause: e });
      }
      throw e;
    }
    if (res.schemaType && res.schemaType !== 'AVRO') {
      const message = `schema id ${schemaId} is ${res.schemaType}, not AVRO`;
      this.refused.set(schemaId, { message, until: Infinity });
      throw new DecodeError('UNKNOWN_SCHEMA', message, { schemaId });
    }
    const type = this.parse(res.schema);
    this.types.set(schemaId, type);
    this.checkDecodable(schemaId, type);
    this.throwIfRefused(schemaId);
    return type;
  }

  /**
   * Refuses to decode with a writer schema that has an array of items that can take zero bytes
   * (null, a record without fields, a fixed of size 0): avsc reads such an array by looping once
   * per item its block count announces, so a count of 2^52 in a record of a few bytes would keep
   * the consumer busy for days without reading a byte (other arrays and maps are bounded by the
   * record's bytes: `boundedTypeHook`). The type stays cached for encoding.
   */
  private checkDecodable(schemaId: number, type: avro.Type): void {
    const why = unsafeForDecoding(type);
    if (why === undefined) {
      this.refused.delete(schemaId); // e.g. an id not found earlier, registered since
      return;
    }
    this.refused.set(schemaId, {
      message: `schema id ${schemaId} is refused for decoding: ${why}`,
      until: Infinity,
    });
  }

  /** Throws UNKNOWN_SCHEMA when the id is refused (and the refusal has not run out). */
  private throwIfRefused(schemaId: number): void {
    if (this.refused.size === 0) return;
    const r = this.refused.get(schemaId);
    if (!r) return;
    if (r.until <= this.now()) {
      this.refused.delete(schemaId);
      return;
    }
    throw new DecodeError('UNKNOWN_SCHEMA', r.message, { schemaId });
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
        this.checkDecodable(schemaId, this.types.get(schemaId)!);
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
        this.checkDecodable(res.id, this.types.get(res.id)!);
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
    this.throwIfRefused(schemaId);
    const writer = this.types.get(schemaId);
    if (!writer) return undefined;
    return { schemaId, value: this.read<T>(writer, schemaId, buf!, reader) };
  }

  async decode<T = unknown>(buf: Buffer | null, reader?: avro.Type): Promise<Decoded<T>> {
    const schemaId = frameSchemaId(buf);
    this.throwIfRefused(schemaId);
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
      if (reader && !this.parsed.has(reader)) reader = this.twin(reader);
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
   * A reader type made elsewhere than parse(), parsed again here once: its arrays and maps read the
   * writer's blocks, and only parse()'s are bounded (avsc freezes its types).
   */
  private twin(reader: avro.Type): avro.Type {
    let t = this.twins.get(reader);
    if (!t) {
      t = this.parse(reader.schema({ exportAttrs: true }));
      this.twins.set(reader, t);
    }
    return t;
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
