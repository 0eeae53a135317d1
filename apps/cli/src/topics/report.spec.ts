import { buildReport, type GroupOffsets, type TopicOffsets } from './report';

const topics: TopicOffsets[] = [
  {
    topic: 'traffic.raw',
    partitions: [
      { partition: 1, start: 0, end: 40 },
      { partition: 0, start: 10, end: 30 },
      { partition: 2, start: 0, end: 0 },
    ],
  },
  { topic: 'alerts', partitions: [{ partition: 0, start: 0, end: 5 }] },
];

function group(name: string, committed: GroupOffsets['committed']): GroupOffsets {
  return { group: name, state: 'Stable', members: 2, committed };
}

describe('buildReport', () => {
  it('sorts topics and partitions and sums end offsets and retained records', () => {
    const [alerts, traffic] = buildReport(topics, []);
    expect(alerts.topic).toBe('alerts');
    expect(traffic.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(traffic.end).toBe(70);
    expect(traffic.records).toBe(60);
    expect(traffic.groups).toEqual([]);
  });

  it('computes each group lag per partition and sums it over the committed partitions', () => {
    const report = buildReport(topics, [
      group('normalizer', [
        {
          topic: 'traffic.raw',
          partitions: [
            { partition: 0, offset: 25 },
            { partition: 1, offset: 40 },
            { partition: 2, offset: -1 },
          ],
        },
        { topic: 'elsewhere', partitions: [{ partition: 0, offset: 3 }] },
      ]),
    ]);
    const traffic = report.find((t) => t.topic === 'traffic.raw')!;
    expect(traffic.groups).toEqual([
      {
        group: 'normalizer',
        state: 'Stable',
        members: 2,
        lag: 5,
        committedPartitions: 2,
        partitions: [
          { partition: 0, committed: 25, end: 30, lag: 5 },
          { partition: 1, committed: 40, end: 40, lag: 0 },
          { partition: 2, committed: null, end: 0, lag: null },
        ],
      },
    ]);
    expect(report.find((t) => t.topic === 'alerts')!.groups).toEqual([]);
  });

  it('never reports a negative lag (a commit past the end of a recreated topic)', () => {
    const [alerts] = buildReport(
      [topics[1]],
      [group('g', [{ topic: 'alerts', partitions: [{ partition: 0, offset: 99 }] }])],
    );
    expect(alerts.groups[0].lag).toBe(0);
  });

  it('lists groups by name and leaves out a group with nothing committed on the topic', () => {
    const [alerts] = buildReport(
      [topics[1]],
      [
        group('zeta', [{ topic: 'alerts', partitions: [{ partition: 0, offset: 1 }] }]),
        group('alpha', [{ topic: 'alerts', partitions: [{ partition: 0, offset: 4 }] }]),
        group('nothing', [{ topic: 'alerts', partitions: [{ partition: 0, offset: -1 }] }]),
      ],
    );
    expect(alerts.groups.map((g) => [g.group, g.lag])).toEqual([
      ['alpha', 1],
      ['zeta', 4],
    ]);
  });
});
