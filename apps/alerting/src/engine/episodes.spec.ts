import { aboveVerdict, belowVerdict, EpisodeBook } from './episodes';

describe('EpisodeBook', () => {
  const cd = { cooldownMs: 100 };

  it('fires once per episode and resolves once', () => {
    const b = new EpisodeBook();
    const seq = ['breach', 'breach', 'hold', 'breach', 'clear', 'clear'] as const;
    const out = seq.map((v, i) => b.observe('r', 's', v, 1000 + i, cd)?.kind ?? '-');
    expect(out).toEqual(['fire', '-', '-', '-', 'resolve', '-']);
  });

  it('ignores an observation older than the last transition (a late reading)', () => {
    const b = new EpisodeBook();
    expect(b.observe('r', 's', 'breach', 1000, cd)?.kind).toBe('fire');
    expect(b.observe('r', 's', 'clear', 999, cd)).toBeUndefined();
    expect(b.observe('r', 's', 'clear', 2000, cd)?.kind).toBe('resolve');
    expect(b.observe('r', 's', 'breach', 1500, { cooldownMs: 0 })).toBeUndefined();
  });

  it('waits out the cooldown after a RESOLVED', () => {
    const b = new EpisodeBook();
    b.observe('r', 's', 'breach', 0, cd);
    b.observe('r', 's', 'clear', 10, cd);
    expect(b.observe('r', 's', 'breach', 109, cd)).toBeUndefined();
    expect(b.observe('r', 's', 'breach', 110, cd)?.episode.alertId).toBe('r|s|110');
  });

  it('restores from final statuses in any order', () => {
    const b = new EpisodeBook();
    b.restore('r', {
      alertId: 'r|s|50',
      rule: 'r',
      subjectId: 's',
      status: 'FIRING',
      firedAt: 50,
      eventTime: 50,
    });
    b.restore('r', {
      alertId: 'r|s|0',
      rule: 'r',
      subjectId: 's',
      status: 'RESOLVED',
      firedAt: 0,
      eventTime: 20,
    });
    expect(b.openEpisode('r', 's')?.alertId).toBe('r|s|50');
    expect(b.observe('r', 's', 'breach', 60, cd)).toBeUndefined();
    expect(b.observe('r', 's', 'clear', 70, cd)?.episode.alertId).toBe('r|s|50');
  });

  it('forgets closed episodes older than the horizon, never open ones', () => {
    const b = new EpisodeBook();
    b.observe('r', 'old', 'breach', 0, cd);
    b.observe('r', 'old', 'clear', 10, cd);
    b.observe('r', 'open', 'breach', 5, cd);
    expect(b.prune(1_000)).toBe(1);
    expect(b.openEpisodes().map((e) => e.subjectId)).toEqual(['open']);
    // forgotten: no cooldown left, a new breach fires
    expect(b.observe('r', 'old', 'breach', 1_001, cd)?.kind).toBe('fire');
  });

  it('has a hysteresis band in both directions', () => {
    const below = { fire_below: 5, resolve_above: 8 };
    expect([4.9, 5, 8, 8.1].map((v) => belowVerdict(v, below))).toEqual([
      'breach',
      'hold',
      'hold',
      'clear',
    ]);
    const above = { fire_above: 95, resolve_below: 90 };
    expect([95.1, 95, 90, 89.9].map((v) => aboveVerdict(v, above))).toEqual([
      'breach',
      'hold',
      'hold',
      'clear',
    ]);
  });
});
