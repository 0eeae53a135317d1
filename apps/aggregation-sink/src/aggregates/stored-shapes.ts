/**
 * The shapes an aggregate takes past the wire, derived from its contract type (libs/contracts), so a
 * field added to the .avsc reaches the store and the REST API types without being written again.
 */

/** Contract fields that are epoch millis on the wire: BSON dates in MongoDB, ISO text in the API. */
export type TimeFields = 'window_start' | 'window_end' | 'updated_at';

/** A MongoDB document: the contract's fields with dates, _id = the Kafka key, and when it was written. */
export type StoredAggregate<T> = Omit<T, TimeFields | 'event_time'> &
  Record<TimeFields, Date> & { _id: string; written_at: Date };

/** What the REST API returns: the contract's figures, times as ISO-8601 text. */
export type AggregateView<T> = Omit<T, TimeFields | 'event_id' | 'event_time'> &
  Record<TimeFields, string>;
