/** The envelope every simulated value carries (every citypulse contract has both fields). */
export interface EventLike {
  event_id: string;
  /** epoch millis */
  event_time: number;
}

export const FAULT_KINDS = [
  'duplicate',
  'out_of_order',
  'late',
  'malformed',
  'broken_avro',
  'messy_id',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const BROKEN_AVRO_VARIANTS = ['not_avro', 'unknown_schema_id', 'bad_magic_byte'] as const;
export type BrokenAvroVariant = (typeof BROKEN_AVRO_VARIANTS)[number];

/**
 * A record as it goes to Kafka, with the faults it carries (empty for a clean one). `kind:
 * 'reading'` is a value the sink encodes as Avro (the name comes from the first stream, traffic
 * readings, and stays for every stream so dumps keep one format); `kind: 'bytes'` is sent as is.
 */
export type SimRecord<V, M extends string = string> =
  | {
      kind: 'reading';
      /** 0-based position in the sent sequence */
      seq: number;
      /** record key: the canonical id of what the value is about */
      key: string;
      value: V;
      faults: FaultKind[];
      /** which impossible value a malformed record carries */
      malformed?: M;
    }
  | {
      kind: 'bytes';
      seq: number;
      key: string;
      /** sent as the raw record value, no encoding */
      bytes: Buffer;
      faults: ['broken_avro'];
      brokenAvro: BrokenAvroVariant;
      /** the event id of the value these bytes replaced (not decodable from the bytes) */
      eventId: string;
    };

/** A record of one stream among several: the record with the stream's name on it. */
export type Tagged<S extends string, R> = R extends unknown ? R & { stream: S } : never;

/** A record before the sequence numbers it. */
export type Unsequenced<R> = R extends unknown ? Omit<R, 'seq'> : never;

/** The clean values of one simulated stream, in event-time order. */
export interface CleanSource<V extends EventLike> {
  /** Event time the next value will carry (Infinity when the source has nothing more). */
  peekTime(): number;
  next(): { value: V };
}
