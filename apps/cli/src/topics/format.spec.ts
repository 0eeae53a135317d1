import { buildReport } from './report';
import { formatTopics } from './format';

describe('formatTopics', () => {
  it('prints the topics table, then the lag of each group on each topic', () => {
    const report = buildReport(
      [
        {
          topic: 'traffic.raw',
          partitions: [
            { partition: 0, start: 0, end: 1021 },
            { partition: 1, start: 0, end: 1940 },
            { partition: 2, start: 0, end: 2039 },
          ],
        },
        { topic: 'alerts', partitions: [{ partition: 0, start: 2, end: 9 }] },
      ],
      [
        {
          group: 'normalizer-traffic',
          state: 'Stable',
          members: 1,
          committed: [
            {
              topic: 'traffic.raw',
              partitions: [
                { partition: 0, offset: 1018 },
                { partition: 1, offset: 1931 },
              ],
            },
          ],
        },
      ],
    );
    expect(formatTopics(report)).toBe(
      [
        'TOPIC        PARTITIONS   END  RECORDS  END BY PARTITION',
        'alerts                1     9        7  0:9',
        'traffic.raw           3  5000     5000  0:1021 1:1940 2:2039',
        '',
        'TOPIC        GROUP               STATE   MEMBERS  COMMITTED  LAG  LAG BY PARTITION',
        'traffic.raw  normalizer-traffic  Stable        1        2/3   12  0:3 1:9 2:-',
        '',
        '2 topics, 1 consumer group with committed offsets on them',
      ].join('\n'),
    );
  });

  it('says so when no group has committed offsets', () => {
    const text = formatTopics(
      buildReport([{ topic: 'alerts', partitions: [{ partition: 0, start: 0, end: 0 }] }], []),
    );
    expect(text).toContain('no consumer group has committed offsets on these topics');
    expect(text).toContain('1 topic, 0 consumer groups');
  });
});
