// kafkajs 2.2.4 is patched at install (patches/kafkajs@2.2.4.patch, pnpm patchedDependencies):
// its per-partition grouping of a send was quadratic. This checks the module kafkajs really loads
// still gives the original's output.
import { createRequire } from 'node:module';

const installed = createRequire(__filename)('kafkajs/src/producer/groupMessagesPerPartition') as (
  args: GroupArgs,
) => Record<number, unknown[]>;

interface GroupArgs {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;
}

// The original, from kafkajs 2.2.4 src/producer/groupMessagesPerPartition.js.
function original({ topic, partitionMetadata, messages, partitioner }: GroupArgs) {
  if (partitionMetadata.length === 0) return {};
  return messages.reduce<Record<number, unknown[]>>((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition] || [];
    return Object.assign(result, { [partition]: [...current, message] });
  }, {});
}

describe("kafkajs' groupMessagesPerPartition (patched)", () => {
  it('is the linear version', () => {
    expect(installed.toString()).not.toContain('[...current, message]');
  });

  it('gives what the original gives', () => {
    const messages = Array.from({ length: 1_000 }, (_, i) => ({
      key: `k${i % 37}`,
      value: `v${i}`,
    }));
    const partitioner = ({ message }: { message: unknown }) =>
      Number((message as { key: string }).key.slice(1)) % 5;
    const args = { topic: 't', partitionMetadata: [{}, {}, {}, {}, {}], messages, partitioner };
    expect(installed(args)).toEqual(original(args));
    expect(installed({ ...args, partitionMetadata: [] })).toEqual({});
  });
});
