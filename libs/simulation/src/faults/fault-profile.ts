import type { FaultProfile } from './fault-injector';
import type { EventLike } from './records';

/** Each impossible value a stream sends, as the fields it changes in the clean value. */
export type Corruptions<V, M extends string> = {
  readonly [K in M]: (value: V) => Partial<V>;
};

/** A fault profile whose malformed variants are its corruptions' names, in their order. */
export type ProfileOf<V extends EventLike, M extends string> = Omit<
  FaultProfile<V, M>,
  'malformedVariants' | 'corrupt'
> & {
  readonly malformedVariants: readonly M[];
  /** a copy of the value with one impossible value */
  readonly corrupt: (value: V, variant: M) => V;
};

/**
 * A stream's fault profile from its key, messy fields and corruptions: `malformedVariants` lists
 * the corruptions in the order given, `corrupt` gives a copy of the value with one applied.
 */
export function faultProfile<V extends EventLike, M extends string>(spec: {
  rngLabel?: string;
  keyOf(value: V): string;
  messyFields: readonly string[];
  corruptions: Corruptions<V, M>;
}): ProfileOf<V, M> {
  const { corruptions, ...profile } = spec;
  return {
    ...profile,
    malformedVariants: Object.keys(corruptions) as M[],
    corrupt: (value, variant) => ({ ...value, ...corruptions[variant](value) }),
  };
}

/** 400 days ahead: past any watermark and any sane clock skew. */
export const FAR_FUTURE_MS = 400 * 24 * 3_600_000;

/** The `far_future` corruption every stream has: an event time 400 days ahead. */
export function farFuture<V extends EventLike>(value: V): Partial<V> {
  return { event_time: value.event_time + FAR_FUTURE_MS } as Partial<V>;
}
