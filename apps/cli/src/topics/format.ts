import { formatTable } from '../table';
import type { TopicReport } from './report';

/**
 * The report as two aligned tables: the topics with their end offsets (total and per partition,
 * `partition:offset`), then the lag of every consumer group on each topic (total and per
 * partition, `-` where the group committed nothing).
 */
export function formatTopics(report: readonly TopicReport[]): string {
  const topics = formatTable(
    [
      { heading: 'TOPIC' },
      { heading: 'PARTITIONS', align: 'right' },
      { heading: 'END', align: 'right' },
      { heading: 'RECORDS', align: 'right' },
      { heading: 'END BY PARTITION' },
    ],
    report.map((t) => [
      t.topic,
      String(t.partitions.length),
      String(t.end),
      String(t.records),
      t.partitions.map((p) => `${p.partition}:${p.end}`).join(' '),
    ]),
  );
  const lagRows = report.flatMap((t) =>
    t.groups.map((g) => [
      t.topic,
      g.group,
      g.state,
      String(g.members),
      `${g.committedPartitions}/${t.partitions.length}`,
      String(g.lag),
      g.partitions.map((p) => `${p.partition}:${p.lag ?? '-'}`).join(' '),
    ]),
  );
  const groups = new Set(report.flatMap((t) => t.groups.map((g) => g.group)));
  const summary = `${report.length} topic${plural(report.length)}, ${groups.size} consumer group${plural(groups.size)} with committed offsets on them`;
  if (lagRows.length === 0) {
    return `${topics}\n\nno consumer group has committed offsets on these topics\n\n${summary}`;
  }
  const lag = formatTable(
    [
      { heading: 'TOPIC' },
      { heading: 'GROUP' },
      { heading: 'STATE' },
      { heading: 'MEMBERS', align: 'right' },
      { heading: 'COMMITTED', align: 'right' },
      { heading: 'LAG', align: 'right' },
      { heading: 'LAG BY PARTITION' },
    ],
    lagRows,
  );
  return `${topics}\n\n${lag}\n\n${summary}`;
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
