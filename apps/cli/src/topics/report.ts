/** One partition's offsets as the broker reports them: the first retained one and the next to be written. */
export interface PartitionOffsets {
  partition: number;
  /** the log start offset (older records are deleted or compacted away) */
  start: number;
  /** the end offset (high watermark): the offset the next record will get */
  end: number;
}

export interface TopicOffsets {
  topic: string;
  partitions: PartitionOffsets[];
}

/** What a consumer group committed, as the group coordinator answers (offset -1: nothing committed). */
export interface GroupOffsets {
  group: string;
  /** Stable, Empty, PreparingRebalance, ... (the coordinator's word) */
  state: string;
  members: number;
  committed: { topic: string; partitions: { partition: number; offset: number }[] }[];
}

export interface PartitionLag {
  partition: number;
  /** the group's committed offset (the next record it will read), null when it committed none here */
  committed: number | null;
  end: number;
  /** end - committed (never below 0), null when nothing is committed on the partition */
  lag: number | null;
}

/** A group's lag on one topic: summed over the partitions it committed offsets for. */
export interface GroupLag {
  group: string;
  state: string;
  members: number;
  lag: number;
  /** how many of the topic's partitions have a committed offset of this group */
  committedPartitions: number;
  partitions: PartitionLag[];
}

export interface TopicReport {
  topic: string;
  partitions: PartitionOffsets[];
  /** sum of the partitions' end offsets */
  end: number;
  /** records retained: sum of end - start */
  records: number;
  /** every group with a committed offset on the topic, by name */
  groups: GroupLag[];
}

/**
 * Every topic with its offsets and, under it, the lag of each consumer group that committed an
 * offset on it. Pure: the same as `kafka-consumer-groups.sh --describe` computes, a partition without
 * a committed offset has no lag (kafka-consumer-groups shows "-") rather than a guessed one.
 */
export function buildReport(
  topics: readonly TopicOffsets[],
  groups: readonly GroupOffsets[],
): TopicReport[] {
  return [...topics]
    .sort((a, b) => a.topic.localeCompare(b.topic))
    .map((t) => {
      const partitions = [...t.partitions].sort((a, b) => a.partition - b.partition);
      return {
        topic: t.topic,
        partitions,
        end: sum(partitions.map((p) => p.end)),
        records: sum(partitions.map((p) => Math.max(0, p.end - p.start))),
        groups: groups
          .map((g) => groupLag(g, t.topic, partitions))
          .filter((g): g is GroupLag => g !== undefined)
          .sort((a, b) => a.group.localeCompare(b.group)),
      };
    });
}

function groupLag(
  g: GroupOffsets,
  topic: string,
  partitions: readonly PartitionOffsets[],
): GroupLag | undefined {
  const committed = new Map<number, number>();
  for (const c of g.committed) {
    if (c.topic !== topic) continue;
    for (const p of c.partitions) if (p.offset >= 0) committed.set(p.partition, p.offset);
  }
  if (committed.size === 0) return undefined;
  const rows: PartitionLag[] = partitions.map((p) => {
    const c = committed.get(p.partition);
    return c === undefined
      ? { partition: p.partition, committed: null, end: p.end, lag: null }
      : { partition: p.partition, committed: c, end: p.end, lag: Math.max(0, p.end - c) };
  });
  return {
    group: g.group,
    state: g.state,
    members: g.members,
    lag: sum(rows.map((r) => r.lag ?? 0)),
    committedPartitions: rows.filter((r) => r.committed !== null).length,
    partitions: rows,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
