import type { PartitionOffsets } from '../topics/report';

/** Where to start reading each partition to have its newest `count` records: max(start, end - count). */
export function readFrom(
  partitions: readonly PartitionOffsets[],
  count: number,
): Map<number, number> {
  return new Map(partitions.map((p) => [p.partition, Math.max(p.start, p.end - count)]));
}

/**
 * The newest `count` records by timestamp (ties: by partition, then offset), oldest first. Given
 * each partition's newest `count`, these are the topic's newest `count`, however the records
 * spread over the partitions.
 */
export function newestByTime<T extends { timestamp: string; partition: number; offset: string }>(
  records: readonly T[],
  count: number,
): T[] {
  if (count === 0) return [];
  const sorted = [...records].sort(
    (a, b) =>
      Number(a.timestamp) - Number(b.timestamp) ||
      a.partition - b.partition ||
      Number(BigInt(a.offset) - BigInt(b.offset)),
  );
  return sorted.slice(-count);
}
