// kafkajs 2.2.4 is patched at install (patches/kafkajs@2.2.4.patch, pnpm patchedDependencies): a
// send that failed on one broker was retried only on the brokers that had not answered yet, so when
// a partition leader died and its partitions moved to a broker that had answered, their messages
// were never sent again and the send still resolved. The native stack's cluster fault case lost
// acknowledged records that way. This drives the module kafkajs really loads with a broker that
// dies mid-send.
import { createRequire } from 'node:module';

interface Msg {
  key: string;
  value: string;
}
interface PartitionData {
  partition: string;
  messages: Msg[];
}
interface TopicData {
  topic: string;
  partitions: PartitionData[];
}
interface FakeBroker {
  nodeId: number;
  produce(req: { topicData: TopicData[] }): Promise<unknown>;
}
type SendMessages = (args: {
  acks: number;
  timeout: number;
  topicMessages: { topic: string; messages: Msg[] }[];
}) => Promise<{ topicName: string; partition: number }[]>;

const createSendMessages = createRequire(__filename)('kafkajs/src/producer/sendMessages') as (
  deps: Record<string, unknown>,
) => SendMessages;

/** Two brokers, partitions 0 and 1 led by broker 1 and 2; broker 2 dies during the first send. */
function cluster() {
  const leaders: Record<string, number> = { '0': 1, '1': 2 };
  const written = new Map<number, string[]>([
    [1, []],
    [2, []],
  ]);
  let brokerTwoUp = true;
  const broker = (nodeId: number): FakeBroker => ({
    nodeId,
    produce: ({ topicData }) => {
      if (nodeId === 2 && !brokerTwoUp) {
        const e = new Error('Connection error: connect ECONNREFUSED');
        e.name = 'KafkaJSConnectionError';
        return Promise.reject(e);
      }
      for (const t of topicData)
        for (const p of t.partitions)
          written.get(nodeId)!.push(...p.messages.map((m) => `${p.partition}:${m.value}`));
      return Promise.resolve({
        topics: topicData.map((t) => ({
          topicName: t.topic,
          partitions: t.partitions.map((p) => ({ partition: Number(p.partition), errorCode: 0 })),
        })),
      });
    },
  });
  const brokers = new Map([1, 2].map((n) => [n, broker(n)]));
  const fake = {
    targetTopics: new Set<string>(),
    refreshMetadataIfNecessary: () => Promise.resolve(),
    // the controller moves partition 1 to broker 1 once broker 2 is gone
    refreshMetadata: () => {
      if (!brokerTwoUp) leaders['1'] = 1;
      return Promise.resolve();
    },
    addMultipleTargetTopics: () => Promise.resolve(),
    isConnected: () => true,
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () => [
      { partitionId: 0, leader: leaders['0'] },
      { partitionId: 1, leader: leaders['1'] },
    ],
    findLeaderForPartitions: (_topic: string, partitions: string[]) => {
      const out: Record<number, string[]> = {};
      for (const p of partitions) (out[leaders[p]] ??= []).push(p);
      return out;
    },
    findBroker: ({ nodeId }: { nodeId: string }) => Promise.resolve(brokers.get(Number(nodeId))),
  };
  return {
    fake,
    written,
    killBrokerTwo: () => {
      brokerTwoUp = false;
    },
  };
}

const eosManager = {
  acquireBrokerLock: () => Promise.resolve(),
  releaseBrokerLock: () => Promise.resolve(),
  isTransactional: () => false,
  getSequence: () => 0,
  updateSequence: () => undefined,
  getProducerId: () => -1,
  getProducerEpoch: () => 0,
};

/** kafkajs' retrier's contract: run again on a thrown error, a few times. */
async function retrier<T>(
  fn: (bail: (e: Error) => never, retryCount: number, retryTime: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(
        (e) => {
          throw e;
        },
        attempt,
        0,
      );
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
}

describe("kafkajs' sendMessages (patched)", () => {
  it('sends again the partitions of a dead leader, to their new leader that had answered already', async () => {
    const c = cluster();
    c.killBrokerTwo();
    const send = createSendMessages({
      logger: { debug: () => undefined, error: () => undefined },
      cluster: c.fake,
      partitioner: ({ message }: { message: Msg }) => Number(message.key),
      eosManager,
      retrier,
    });
    const result = await send({
      acks: -1,
      timeout: 30_000,
      topicMessages: [
        {
          topic: 't',
          messages: [
            { key: '0', value: 'a' },
            { key: '1', value: 'b' },
            { key: '0', value: 'c' },
            { key: '1', value: 'd' },
          ],
        },
      ],
    });
    // the first attempt: broker 1 took partition 0, broker 2 refused partition 1; the retry sends
    // partition 1 to broker 1, its new leader (the original sent nothing and resolved)
    expect(c.written.get(1)).toEqual(['0:a', '0:c', '1:b', '1:d']);
    expect(result.map((r) => r.partition).sort()).toEqual([0, 1]);
  });
});
