import type {
  Alert,
  IncidentNormalized,
  TrafficReadingNormalized,
  TransportVehicleStatusNormalized,
} from '@citypulse/contracts';
import type { AlertEngine, DlqSource, Reading } from '../engine/alert-engine';
import type { AlertingMetrics } from '../metrics';

/** Where alerts go (a libs/kafka TopicProducer fits); resolves once Kafka acknowledged them. */
export interface AlertOutput {
  send(records: { key: string; value: Alert }[]): Promise<void>;
}

export type Batch =
  | { kind: 'traffic'; readings: Reading<TrafficReadingNormalized>[] }
  | { kind: 'transport'; readings: Reading<TransportVehicleStatusNormalized>[] }
  | { kind: 'incidents'; readings: Reading<IncidentNormalized>[] }
  | {
      kind: 'deadLetters';
      source: DlqSource;
      topic: string;
      partition: number;
      /** the dead letters' offsets and record timestamps (epoch ms) */
      records: { offset: string; timestamp: number }[];
    };

/**
 * At most this many readings of failed writes are remembered (the readings of a batch the
 * consumer retries are a few hundred; a partition that went to another instance meanwhile never
 * brings its readings back, so the oldest are forgotten beyond this): some 6 MB at most.
 */
export const MAX_UNACKNOWLEDGED_READINGS = 50_000;

/**
 * The service's one use case, knowing nothing of Kafka's consumer: evaluate a batch against every
 * rule and write the alerts it causes to the alerts topic, returning once they are acknowledged
 * (so the caller commits the batch only after its alerts are durable: after a crash, a reading is
 * evaluated again, and the episodes restored from the topic keep a second FIRING out). No
 * database round trip here: PostgreSQL and webhooks follow the alerts topic on their own.
 */
export class EvaluateReadings {
  private readonly unwritten: Alert[] = [];
  /**
   * Keys (topic and event id; topic, partition and offset for a dead letter) of the readings
   * applied to the engine by a batch whose alerts could not be written. The consumer hands that
   * batch over again (the same records, or after a re-fetch a part of them); applied a second
   * time they would count twice in the zone windows, the stuck-sensor runs, the anomaly baselines
   * and the DLQ rate. So a remembered reading is skipped when it comes again, and forgotten then
   * (once that write succeeds it is committed).
   *
   * Why this and not the alternatives: remembering every applied id (within the lateness window)
   * costs a set insert and delete per reading and tens of MB at 10,000 readings/s, and evaluating
   * against a copy of the state committed after the write copies the windows (600,000 readings)
   * or logs an undo step per reading. This costs nothing while writes succeed (the set is empty
   * and not consulted) and holds only the readings of failed writes, bounded by
   * MAX_UNACKNOWLEDGED_READINGS. A redelivery after a crash needs nothing: the state starts empty.
   */
  private readonly unacknowledged = new Set<string>();

  constructor(
    private readonly engine: AlertEngine,
    private readonly output: AlertOutput,
    private readonly metrics: AlertingMetrics,
    private readonly clock: () => number = Date.now,
  ) {}

  async execute(batch: Batch, topic: string): Promise<Alert[]> {
    const started = performance.now();
    // alerts of a write that failed go first: the engine already applied that batch's readings
    // (its episodes moved on), so when the consumer retries it those readings are skipped
    const retried = this.unacknowledged.size > 0;
    const alerts = [
      ...this.unwritten.splice(0),
      ...this.evaluate(retried ? this.withoutApplied(batch) : batch),
    ];
    if (alerts.length > 0) {
      try {
        await this.output.send(alerts.map((value) => ({ key: value.alert_id, value })));
      } catch (e) {
        this.unwritten.unshift(...alerts);
        this.remember(batch);
        throw e;
      }
    }
    if (retried) for (const k of keysOf(batch)) this.unacknowledged.delete(k);
    if (alerts.length > 0) {
      const now = this.clock();
      const ingested = ingestedAt(batch);
      for (const a of alerts) {
        const t = a.source_event_id ? ingested.get(a.source_event_id) : undefined;
        if (t !== undefined) this.metrics.eventLatency(a.rule, (now - t) / 1000);
      }
    }
    this.metrics.written(alerts, this.engine.openCount());
    this.metrics.evaluated(topic, (performance.now() - started) / 1000);
    return alerts;
  }

  private evaluate(batch: Batch): Alert[] {
    switch (batch.kind) {
      case 'traffic':
        return this.engine.traffic(batch.readings);
      case 'transport':
        return this.engine.transport(batch.readings);
      case 'incidents':
        return this.engine.incidents(batch.readings);
      case 'deadLetters':
        return this.engine.deadLetters(
          batch.source,
          batch.records.map((r) => r.timestamp),
          batch.topic,
        );
    }
  }

  /** The batch without the readings a batch whose write failed applied already. */
  private withoutApplied(batch: Batch): Batch {
    const fresh = (topic: string, r: { value: { event_id: string } }) =>
      !this.unacknowledged.has(readingKey(topic, r.value.event_id));
    switch (batch.kind) {
      case 'traffic':
        return { ...batch, readings: batch.readings.filter((r) => fresh(r.topic, r)) };
      case 'transport':
        return { ...batch, readings: batch.readings.filter((r) => fresh(r.topic, r)) };
      case 'incidents':
        return { ...batch, readings: batch.readings.filter((r) => fresh(r.topic, r)) };
      case 'deadLetters': {
        const { topic, partition } = batch;
        const records = batch.records.filter(
          (r) => !this.unacknowledged.has(offsetKey(topic, partition, r.offset)),
        );
        return { ...batch, records };
      }
    }
  }

  /** Remembers the readings of a batch whose write failed, forgetting the oldest beyond the bound. */
  private remember(batch: Batch): void {
    for (const k of keysOf(batch)) this.unacknowledged.add(k);
    let over = this.unacknowledged.size - MAX_UNACKNOWLEDGED_READINGS;
    for (const k of this.unacknowledged) {
      if (over-- <= 0) break;
      this.unacknowledged.delete(k);
    }
  }
}

const readingKey = (topic: string, eventId: string) => `${topic}\u0000${eventId}`;
const offsetKey = (topic: string, partition: number, offset: string) =>
  `${topic}\u0000${partition}\u0000${offset}`;

function keysOf(batch: Batch): string[] {
  if (batch.kind === 'deadLetters')
    return batch.records.map((r) => offsetKey(batch.topic, batch.partition, r.offset));
  return batch.readings.map((r) => readingKey(r.topic, r.value.event_id));
}

function ingestedAt(batch: Batch): Map<string, number> {
  const m = new Map<string, number>();
  if (batch.kind !== 'deadLetters')
    for (const r of batch.readings) m.set(r.value.event_id, r.value.ingested_at);
  return m;
}
