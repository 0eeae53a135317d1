/**
 * The shapes an aggregate takes past the wire, derived from its contract type (libs/contracts), so a
 * field added to the .avsc reaches the store and the REST API types without being written again.
 */
import type { TimeField } from './aggregate-spec';

/** Contract fields that are epoch millis on the wire: Dates in the stores, ISO text in the API. */
export type TimeFields = TimeField;

/** What both stores hold of an update: the contract's fields with dates, without event_time. */
export type StoredFields<T> = Omit<T, TimeFields | 'event_time'> & Record<TimeFields, Date>;

/** A MongoDB document: the stored fields, _id = the Kafka key, and when it was written. */
export type StoredAggregate<T> = StoredFields<T> & { _id: string; written_at: Date };

/** What the REST API returns: the contract's figures, times as ISO-8601 text. */
export type AggregateView<T> = Omit<T, TimeFields | 'event_id' | 'event_time'> &
  Record<TimeFields, string>;
