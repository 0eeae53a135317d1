import { longIdProblem, MAX_ID_CHARS } from './reading-ids';

describe('longIdProblem', () => {
  it('names an id field longer than MAX_ID_CHARS', () => {
    expect(longIdProblem({ event_id: 'e', zone_id: 'Z'.repeat(MAX_ID_CHARS + 1) })).toBe(
      `zone_id is ${MAX_ID_CHARS + 1} characters long, more than ${MAX_ID_CHARS}`,
    );
  });

  it('passes ids up to the limit, and long text that is not an id', () => {
    expect(
      longIdProblem({ sensor_id: 'S'.repeat(MAX_ID_CHARS), description: 'd'.repeat(5_000) }),
    ).toBeUndefined();
    expect(longIdProblem(null)).toBeUndefined();
  });
});
