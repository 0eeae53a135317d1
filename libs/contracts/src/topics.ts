import {
  DLQ_SUFFIX,
  KEY_SEPARATOR,
  STREAM_DEFINITIONS,
  SUBJECT_SUFFIX,
  type StreamValues,
} from './generated/streams';

export {
  DLQ_SUFFIX,
  KEY_SEPARATOR,
  NAMESPACE,
  STREAM_DEFINITIONS,
  SUBJECT_SUFFIX,
} from './generated/streams';
export type { StreamValues } from './generated/streams';

/** The name of a stream in topics.json, e.g. 'trafficRaw'. */
export type StreamName = keyof typeof STREAM_DEFINITIONS;
/** A stream's definition: topic, schema file, value type name, key fields, partitions. */
export type StreamDefinition<S extends StreamName = StreamName> = (typeof STREAM_DEFINITIONS)[S];
/** A topic name of one of the streams, e.g. 'traffic.raw'. */
export type TopicName = StreamDefinition['topic'];
/** The value type of a stream, e.g. ValueOf<'trafficRaw'> = TrafficReadingRaw. */
export type ValueOf<S extends StreamName> = StreamValues[S];

/** Every stream name, in topics.json order. */
export const STREAM_NAMES = Object.keys(STREAM_DEFINITIONS) as StreamName[];

/** Topic of each stream: TOPICS.trafficRaw === 'traffic.raw'. */
export const TOPICS = Object.fromEntries(
  STREAM_NAMES.map((s) => [s, STREAM_DEFINITIONS[s].topic]),
) as { readonly [S in StreamName]: StreamDefinition<S>['topic'] };

/** Every topic name of the streams (without DLQs). */
export const ALL_TOPICS: readonly TopicName[] = STREAM_NAMES.map(
  (s) => STREAM_DEFINITIONS[s].topic,
);

const byTopic = new Map<string, StreamName>(
  STREAM_NAMES.map((s) => [STREAM_DEFINITIONS[s].topic, s]),
);

/** The dead-letter topic of a topic: `<topic>.dlq`. */
export function dlqTopic(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

/** Whether a topic name is a dead-letter topic. */
export function isDlqTopic(topic: string): boolean {
  return topic.endsWith(DLQ_SUFFIX);
}

/** The schema-registry subject of a topic's values (TopicNameStrategy): `<topic>-value`. */
export function subjectFor(topic: string): string {
  return `${topic}${SUBJECT_SUFFIX}`;
}

/** The stream a topic belongs to, or undefined for a topic that is not in the contracts. */
export function streamForTopic(topic: string): StreamName | undefined {
  return byTopic.get(topic);
}

/**
 * The record key of a value: its key fields as text joined by '|' (timestamps as epoch millis,
 * enums as their symbol). Keys are plain UTF-8 bytes on the wire, not Avro.
 */
export function keyFor<S extends StreamName>(stream: S, value: ValueOf<S>): string {
  const fields: readonly string[] = STREAM_DEFINITIONS[stream].keyFields;
  const record = value as unknown as Record<string, unknown>;
  // one key field is the common case (a normalizer calls this per record): no array, no join
  if (fields.length === 1) return keyPart(record[fields[0]]);
  return fields.map((f) => keyPart(record[f])).join(KEY_SEPARATOR);
}

function keyPart(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return String(v.getTime());
  if (v === null || v === undefined) return '';
  throw new TypeError(`cannot use ${typeof v} as a key part`);
}
