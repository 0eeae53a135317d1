/** Capped exponential backoff with jitter (kafkajs `src/retry/` style), as pure functions. */
export interface BackoffOptions {
  /** Delay before the 2nd attempt. */
  initialMs: number;
  /** No delay is ever longer than this. */
  maxMs: number;
  multiplier: number;
  /** 0 = no jitter; 1 = anywhere between 0 and the full delay. */
  jitter: number;
  /** Attempts in all, the first one included. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 200,
  maxMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
  maxAttempts: 8,
};

/**
 * The wait after failed attempt number `attempt` (1-based): initial * multiplier^(attempt-1),
 * capped at maxMs, then shortened by up to `jitter` of itself so that many consumers failing at
 * once do not retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.floor(attempt));
  const exp = Math.min(opts.maxMs, opts.initialMs * Math.pow(opts.multiplier, n - 1));
  const jitter = Math.min(1, Math.max(0, opts.jitter));
  return Math.round(exp * (1 - jitter * random()));
}

/** Whether another attempt is allowed after `attempt` attempts have failed. */
export function shouldRetry(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF): boolean {
  return attempt < opts.maxAttempts;
}
