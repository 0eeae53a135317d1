import type { IHeaders } from 'kafkajs';

/**
 * A decoded Kafka record as a libs/kafka handler receives it (its `KafkaRecord`), for calling a
 * handler directly in a unit test: partition 0, no key or headers, schema id 1, no raw bytes.
 */
export function handlerRecord<V>(
  value: V,
  offset = 0,
  topic = 't',
): {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: V;
  headers: IHeaders;
  timestamp: string;
  schemaId: number;
  raw: Buffer;
} {
  return {
    topic,
    partition: 0,
    offset: String(offset),
    key: null,
    value,
    headers: {},
    timestamp: '0',
    schemaId: 1,
    raw: Buffer.alloc(0),
  };
}
