import type { Versioned } from './windows';

/**
 * The one rule of the sink, which both stores implement in their own query language (the
 * conditional upserts in stores/): a window is written when it is new, or when the incoming
 * update is strictly newer than the stored one. An equal version is a replay (nothing to do);
 * an older one arrived late and must not overwrite.
 */
export type UpsertDecision = 'insert' | 'update' | 'replay' | 'stale';

export function decideUpsert(stored: Date | undefined, incoming: Date): UpsertDecision {
  if (stored === undefined) return 'insert';
  const diff = incoming.getTime() - stored.getTime();
  if (diff > 0) return 'update';
  return diff === 0 ? 'replay' : 'stale';
}

/** Whether a decision changes the store. */
export function writes(decision: UpsertDecision): boolean {
  switch (decision) {
    case 'insert':
    case 'update':
      return true;
    case 'replay':
    case 'stale':
      return false;
  }
}

/**
 * Collapses a batch to the newest update per key, keeping first-seen key order. Only the newest
 * can survive the conditional upsert anyway, and one row per key lets a store write the batch in
 * one statement (PostgreSQL refuses to upsert one row twice in a statement).
 */
export function newestPerKey<T extends Versioned>(items: readonly T[]): T[] {
  const newest = new Map<string, T>();
  for (const item of items) {
    const seen = newest.get(item.key);
    if (!seen || writes(decideUpsert(seen.updatedAt, item.updatedAt))) newest.set(item.key, item);
  }
  return [...newest.values()];
}
