import { contractOf, type Alert } from '@citypulse/contracts';
import type { AvroSerde } from '@citypulse/kafka';
import { uniqueSuffix } from '../util';
import type { Kafka } from 'kafkajs';

/**
 * Reads the alerts topic from its beginning to the end it had when called (the topic is
 * compacted: the last record of every alert_id is kept) and returns the alerts in partition
 * order. This is the state the service rebuilds its episodes from after a restart, crash
 * included: an alert reaches the topic before the readings that caused it are committed.
 */
export async function readAlertsTopic(
  kafka: Kafka,
  serde: AvroSerde,
  topic: string,
  groupPrefix: string,
): Promise<Alert[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  const out: Alert[] = [];
  if (ends.size === 0) return out;
  // read as the current contract, so alerts written before a field was added get its default
  const reader = serde.parse(contractOf('alerts').schema);
  // a throwaway group that commits nothing: the read starts at the beginning every time
  const consumer = kafka.consumer({
    groupId: `${groupPrefix}-restore-${uniqueSuffix()}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const left = new Map(ends);
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = left.get(batch.partition);
            if (end === undefined) return;
            for (const m of batch.messages) {
              if (BigInt(m.offset) >= end) break;
              if (m.value) out.push((await serde.decode<Alert>(m.value, reader)).value);
            }
            if (BigInt(batch.lastOffset()) + 1n >= end) left.delete(batch.partition);
            if (left.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}
