/**
 * The lifecycle of alerts: one episode per rule and subject, FIRING once, then RESOLVED once.
 *
 * A rule reports, per evaluated reading, whether its subject is past the firing level ('breach'),
 * back past the resolve level ('clear') or in the hysteresis band between them ('hold'). An idle
 * subject fires on a breach unless it resolved less than the cooldown ago; a firing one resolves
 * on a clear. Everything is in event time: an observation older than the subject's last
 * transition is ignored, so a late reading never opens (or closes) an episode for a moment
 * already decided.
 */

export type Verdict = 'breach' | 'clear' | 'hold';

export interface OpenEpisode {
  /** rule id of the alert (e.g. traffic.severe_congestion) */
  rule: string;
  subjectId: string;
  alertId: string;
  firedAt: number;
}

export type Transition =
  { kind: 'fire'; episode: OpenEpisode } | { kind: 'resolve'; episode: OpenEpisode };

interface SubjectState {
  open: OpenEpisode | undefined;
  /** event time of the last FIRING or RESOLVED */
  lastTransitionAt: number;
  /** event time of the last RESOLVED (for the cooldown) */
  resolvedAt: number | undefined;
}

/** The id every system sees for an episode: rule|subject|event time it fired. */
export function alertIdOf(rule: string, subjectId: string, firedAt: number): string {
  return `${rule}|${subjectId}|${firedAt}`;
}

export class EpisodeBook {
  private readonly subjects = new Map<string, SubjectState>();

  /** Key of a lifecycle: a family of rules (congestion and its correlated form share one) and a subject. */
  private static key(family: string, subjectId: string): string {
    return `${family}\u0000${subjectId}`;
  }

  /**
   * Applies one verdict at `eventTime`; returns the transition it causes, if any. `rule` names the
   * alert a FIRING opens (it may differ from the family, e.g. a correlated congestion).
   */
  observe(
    family: string,
    subjectId: string,
    verdict: Verdict,
    eventTime: number,
    opts: { cooldownMs: number; rule?: string },
  ): Transition | undefined {
    const key = EpisodeBook.key(family, subjectId);
    const s = this.subjects.get(key);
    if (s && eventTime < s.lastTransitionAt) return undefined; // decided already
    if (verdict === 'hold') return undefined;
    if (verdict === 'breach') {
      if (s?.open) return undefined;
      if (s?.resolvedAt !== undefined && eventTime - s.resolvedAt < opts.cooldownMs)
        return undefined;
      const rule = opts.rule ?? family;
      const episode: OpenEpisode = {
        rule,
        subjectId,
        alertId: alertIdOf(rule, subjectId, eventTime),
        firedAt: eventTime,
      };
      this.subjects.set(key, {
        open: episode,
        lastTransitionAt: eventTime,
        resolvedAt: s?.resolvedAt,
      });
      return { kind: 'fire', episode };
    }
    if (!s?.open) return undefined;
    const episode = s.open;
    this.subjects.set(key, { open: undefined, lastTransitionAt: eventTime, resolvedAt: eventTime });
    return { kind: 'resolve', episode };
  }

  /**
   * Forgets subjects with no open episode whose last transition is older than `before` (a
   * cooldown longer than that would be forgotten too), so state does not grow with every
   * vehicle and incident ever seen. Returns how many were dropped.
   */
  prune(before: number): number {
    let n = 0;
    for (const [key, s] of this.subjects) {
      if (!s.open && s.lastTransitionAt < before) {
        this.subjects.delete(key);
        n++;
      }
    }
    return n;
  }

  /** The open episode of a family and subject, if any. */
  openEpisode(family: string, subjectId: string): OpenEpisode | undefined {
    return this.subjects.get(EpisodeBook.key(family, subjectId))?.open;
  }

  /** Every open episode (for restore checks and the open-alerts gauge). */
  openEpisodes(): OpenEpisode[] {
    const out: OpenEpisode[] = [];
    for (const s of this.subjects.values()) if (s.open) out.push(s.open);
    return out;
  }

  /**
   * Rebuilds state from the final status of one alert this service wrote earlier (the last record
   * of its alert_id in the alerts topic): a FIRING is an open episode, a RESOLVED starts the
   * cooldown. Order between alerts does not matter.
   */
  restore(
    family: string,
    a: {
      alertId: string;
      rule: string;
      subjectId: string;
      status: 'FIRING' | 'RESOLVED';
      firedAt: number;
      eventTime: number;
    },
  ): void {
    const key = EpisodeBook.key(family, a.subjectId);
    const s = this.subjects.get(key) ?? {
      open: undefined,
      lastTransitionAt: Number.NEGATIVE_INFINITY,
      resolvedAt: undefined,
    };
    if (a.status === 'FIRING') {
      if (!s.open || s.open.firedAt < a.firedAt) {
        s.open = { rule: a.rule, subjectId: a.subjectId, alertId: a.alertId, firedAt: a.firedAt };
      }
    } else {
      s.resolvedAt = Math.max(a.eventTime, s.resolvedAt ?? a.eventTime);
    }
    s.lastTransitionAt = Math.max(s.lastTransitionAt, a.eventTime);
    this.subjects.set(key, s);
  }
}

/** Hysteresis for a "fire below, resolve above" rule (speed). */
export function belowVerdict(
  value: number,
  lv: { fire_below: number; resolve_above: number },
): Verdict {
  if (value < lv.fire_below) return 'breach';
  if (value > lv.resolve_above) return 'clear';
  return 'hold';
}

/** Hysteresis for a "fire above, resolve below" rule (occupancy, DLQ ratio). */
export function aboveVerdict(
  value: number,
  lv: { fire_above: number; resolve_below: number },
): Verdict {
  if (value > lv.fire_above) return 'breach';
  if (value < lv.resolve_below) return 'clear';
  return 'hold';
}
