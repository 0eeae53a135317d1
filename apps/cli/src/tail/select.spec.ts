import { newestByTime, readFrom } from './select';

describe('readFrom', () => {
  it('starts each partition count records before its end, never before its start', () => {
    const from = readFrom(
      [
        { partition: 0, start: 0, end: 100 },
        { partition: 1, start: 95, end: 100 },
        { partition: 2, start: 0, end: 3 },
        { partition: 3, start: 7, end: 7 },
      ],
      10,
    );
    expect([...from]).toEqual([
      [0, 90],
      [1, 95],
      [2, 0],
      [3, 7],
    ]);
  });
});

describe('newestByTime', () => {
  const r = (partition: number, offset: number, timestamp: number) => ({
    partition,
    offset: String(offset),
    timestamp: String(timestamp),
  });

  it('takes the newest by timestamp over all partitions, oldest first', () => {
    const records = [r(0, 0, 100), r(0, 1, 400), r(1, 0, 200), r(1, 1, 500), r(2, 0, 300)];
    expect(newestByTime(records, 3)).toEqual([r(2, 0, 300), r(0, 1, 400), r(1, 1, 500)]);
  });

  it('breaks timestamp ties by partition, then offset (offsets compared as numbers)', () => {
    const records = [r(1, 10, 5), r(0, 9, 5), r(1, 9, 5), r(0, 100, 5)];
    expect(newestByTime(records, 4)).toEqual([r(0, 9, 5), r(0, 100, 5), r(1, 9, 5), r(1, 10, 5)]);
  });

  it('gives everything when there are fewer records than asked, and nothing for 0', () => {
    expect(newestByTime([r(0, 0, 1)], 5)).toHaveLength(1);
    expect(newestByTime([r(0, 0, 1)], 0)).toEqual([]);
  });
});
