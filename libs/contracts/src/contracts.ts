import type * as avro from 'avsc';
import {
  avroTypeOf,
  schemaOf,
  schemaStringOf,
  type AvroCodec,
  type AvroSchemaJson,
} from './schemas';
import {
  STREAM_DEFINITIONS,
  STREAM_NAMES,
  dlqTopic,
  keyFor,
  streamForTopic,
  subjectFor,
  type StreamName,
  type StreamValues,
} from './topics';

/** Everything about one stream in one object: topic, DLQ, subject, schema, Avro type, key. */
export interface StreamContract<S extends StreamName = StreamName> {
  readonly stream: S;
  readonly topic: (typeof STREAM_DEFINITIONS)[S]['topic'];
  readonly dlqTopic: string;
  /** Schema-registry subject of the values: `<topic>-value`. */
  readonly subject: string;
  readonly schemaFile: string;
  /** Full Avro name of the value record, e.g. city.pulse.TrafficReadingRaw. */
  readonly valueType: string;
  readonly keyFields: readonly string[];
  readonly partitions: number;
  /** The value schema as JSON (from the .avsc file). */
  readonly schema: AvroSchemaJson;
  /** The value schema as a JSON string, for registry registration. */
  readonly schemaString: string;
  /** The avsc Type of the values (timestamps as epoch millis numbers). */
  readonly type: avro.Type & AvroCodec<StreamValues[S]>;
  /** The record key of a value. */
  key(value: StreamValues[S]): string;
}

const cache = new Map<StreamName, StreamContract>();

/** The contract of a stream, e.g. contractOf('trafficNormalized'). */
export function contractOf<S extends StreamName>(stream: S): StreamContract<S> {
  let c = cache.get(stream) as StreamContract<S> | undefined;
  if (!c) {
    const def = STREAM_DEFINITIONS[stream];
    c = {
      stream,
      topic: def.topic,
      dlqTopic: dlqTopic(def.topic),
      subject: subjectFor(def.topic),
      schemaFile: def.schemaFile,
      valueType: def.valueType,
      keyFields: def.keyFields,
      partitions: def.partitions,
      schema: schemaOf(stream),
      schemaString: schemaStringOf(stream),
      type: avroTypeOf(stream),
      key: (value) => keyFor(stream, value),
    };
    cache.set(stream, c);
  }
  return c;
}

/** The contract of the stream a topic carries, or undefined for an unknown topic. */
export function contractForTopic(topic: string): StreamContract | undefined {
  const stream = streamForTopic(topic);
  return stream ? contractOf(stream) : undefined;
}

/** The contract of every stream, in topics.json order. */
export function allContracts(): StreamContract[] {
  return STREAM_NAMES.map((s) => contractOf(s));
}
