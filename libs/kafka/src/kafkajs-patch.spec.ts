import { groupMessagesPerPartition } from './kafkajs-patch';

// The original, from kafkajs 2.2.4 src/producer/groupMessagesPerPartition.js.
function original({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: Parameters<typeof groupMessagesPerPartition>[0]) {
  if (partitionMetadata.length === 0) return {};
  return messages.reduce<Record<number, unknown[]>>((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition] || [];
    return Object.assign(result, { [partition]: [...current, message] });
  }, {});
}

describe('linear groupMessagesPerPartition', () => {
  it('gives what kafkajs gives', () => {
    const messages = Array.from({ length: 1_000 }, (_, i) => ({
      key: `k${i % 37}`,
      value: `v${i}`,
    }));
    const partitioner = ({ message }: { message: unknown }) =>
      Number((message as { key: string }).key.slice(1)) % 5;
    const args = { topic: 't', partitionMetadata: [{}, {}, {}, {}, {}], messages, partitioner };
    expect(groupMessagesPerPartition(args)).toEqual(original(args));
    expect(groupMessagesPerPartition({ ...args, partitionMetadata: [] })).toEqual({});
  });
});
