import type { Admin, Kafka } from 'kafkajs';
import { topicMatcher, type TopicsCommand } from '../args';
import { listTopics, unknownTopicError } from '../known-topics';
import { buildReport, type GroupOffsets, type TopicOffsets, type TopicReport } from './report';

/**
 * Reads every topic's offsets and every consumer group's committed offsets from the cluster (admin
 * API: ListOffsets, ListGroups, DescribeGroups, OffsetFetch) and builds the report. A topic deleted
 * while it is being read (other tools and tests create and delete topics all the time) is left out.
 */
export async function collectTopics(
  kafka: Kafka,
  brokers: readonly string[],
  cmd: Pick<TopicsCommand, 'patterns' | 'internal'>,
): Promise<TopicReport[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const known = await listTopics(admin, { internal: cmd.internal });
    const names = known.filter(topicMatcher(cmd.patterns));
    if (names.length === 0 && cmd.patterns.length > 0) {
      throw unknownTopicError(cmd.patterns.join(' '), brokers, known);
    }
    const [topics, groups] = await Promise.all([
      Promise.all(names.map((t) => topicOffsets(admin, t))),
      groupOffsets(admin),
    ]);
    return buildReport(
      topics.filter((t): t is TopicOffsets => t !== undefined),
      groups,
    );
  } finally {
    await admin.disconnect();
  }
}

async function topicOffsets(admin: Admin, topic: string): Promise<TopicOffsets | undefined> {
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return {
      topic,
      partitions: offsets.map((p) => ({
        partition: p.partition,
        start: Number(p.low),
        end: Number(p.high),
      })),
    };
  } catch (e) {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    throw e;
  }
}

async function groupOffsets(admin: Admin): Promise<GroupOffsets[]> {
  const { groups } = await admin.listGroups();
  if (groups.length === 0) return [];
  const described = await admin.describeGroups(groups.map((g) => g.groupId));
  const byId = new Map(described.groups.map((g) => [g.groupId, g]));
  return Promise.all(
    groups.map(async ({ groupId }) => {
      // no topics: every topic the group has committed offsets on
      const committed = await admin.fetchOffsets({ groupId });
      const d = byId.get(groupId);
      return {
        group: groupId,
        state: d?.state ?? 'Unknown',
        members: d?.members.length ?? 0,
        committed: committed.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => ({
            partition: p.partition,
            offset: Number(p.offset),
          })),
        })),
      };
    }),
  );
}
