import type { StreamName } from '@citypulse/contracts';
import { contractTopicSpecs, ensureContractTopics, ensureTopics } from '@citypulse/kafka';
import { waitFor } from '@citypulse/testing';
import { AssignerProtocol, type Kafka } from 'kafkajs';
import { ALL_AGGREGATES, FLOW_STREAMS, STREAM_SPECS, type FlowStream } from './streams';

/**
 * The contract streams a flow of these streams runs through: their raw and normalized topics,
 * and every aggregate topic — the aggregation-sink consumes them all, so a run that left another
 * stream's aggregates behind would feed them into this run's stores.
 */
export function flowContracts(
  streams: readonly FlowStream[],
  opts: { alerts?: boolean } = {},
): StreamName[] {
  return [
    ...(opts.alerts ? (['alerts'] as const) : []),
    ...FLOW_STREAMS.filter((s) => streams.includes(s)).flatMap((s) => [
      STREAM_SPECS[s].raw,
      STREAM_SPECS[s].normalized,
    ]),
    ...ALL_AGGREGATES.map((a) => a.contract),
  ];
}

/** The flow's topics and their DLQs. */
export function flowTopics(streams: readonly FlowStream[]): string[] {
  return contractTopicSpecs(flowContracts(streams)).map((s) => s.topic);
}

/** Every contract topic and its DLQ, with topics.json's partitions (libs/kafka). */
export function ensureAllTopics(kafka: Kafka): Promise<string[]> {
  return ensureContractTopics(kafka);
}

/** Consumer groups with live members that read any of `topics`: group id -> member client ids. */
export async function activeConsumers(
  kafka: Kafka,
  topics: readonly string[],
): Promise<Map<string, string[]>> {
  const wanted = new Set(topics);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const out = new Map<string, string[]>();
    if (groups.length === 0) return out;
    const described = await admin.describeGroups(groups.map((g) => g.groupId));
    for (const g of described.groups) {
      for (const m of g.members) {
        const a =
          m.memberAssignment.length > 0
            ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
            : null;
        const reads = a ? Object.keys(a.assignment).some((t) => wanted.has(t)) : false;
        if (reads)
          out.set(g.groupId, [...(out.get(g.groupId) ?? []), `${m.clientId}@${m.clientHost}`]);
      }
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Deletes the flow's topics (and DLQs) and creates them again empty, waiting until the broker
 * has really dropped the old ones (deletion is asynchronous, and a create before it is done
 * fails with "topic already exists" or "marked for deletion"), then until every new partition
 * has a leader (ensureTopics).
 */
export async function recreateTopics(
  kafka: Kafka,
  streams: readonly FlowStream[],
  opts: { alerts?: boolean } = {},
): Promise<void> {
  const specs = contractTopicSpecs(flowContracts(streams, opts));
  const names = specs.map((s) => s.topic);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = names.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
    await waitFor(
      async () => {
        const now = new Set(await admin.listTopics());
        return names.every((t) => !now.has(t));
      },
      { timeoutMs: 60_000, what: `the broker to drop ${present.join(', ')}` },
    );
    await ensureTopics(kafka, specs);
  } finally {
    await admin.disconnect();
  }
}

/** Sum of the end offsets of a topic's partitions. */
export async function endOffsetTotal(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}
