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
  | { kind: 'deadLetters'; source: DlqSource; topic: string; timestamps: number[] };

/**
 * The service's one use case, knowing nothing of Kafka's consumer: evaluate a batch against every
 * rule and write the alerts it causes to the alerts topic, returning once they are acknowledged
 * (so the caller commits the batch only after its alerts are durable: after a crash, a reading is
 * evaluated again, and the episodes restored from the topic keep a second FIRING out). No
 * database round trip here: PostgreSQL and webhooks follow the alerts topic on their own.
 */
export class EvaluateReadings {
  private readonly unwritten: Alert[] = [];

  constructor(
    private readonly engine: AlertEngine,
    private readonly output: AlertOutput,
    private readonly metrics: AlertingMetrics,
    private readonly clock: () => number = Date.now,
  ) {}

  async execute(batch: Batch, topic: string): Promise<Alert[]> {
    const started = performance.now();
    // alerts of a write that failed go first: the episodes already moved on in memory, so the
    // batch evaluated again (the consumer retries it) would not produce them a second time
    const alerts = [...this.unwritten.splice(0), ...this.evaluate(batch)];
    if (alerts.length > 0) {
      try {
        await this.output.send(alerts.map((value) => ({ key: value.alert_id, value })));
      } catch (e) {
        this.unwritten.unshift(...alerts);
        throw e;
      }
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
        return this.engine.deadLetters(batch.source, batch.timestamps, batch.topic);
    }
  }
}

function ingestedAt(batch: Batch): Map<string, number> {
  const m = new Map<string, number>();
  if (batch.kind !== 'deadLetters')
    for (const r of batch.readings) m.set(r.value.event_id, r.value.ingested_at);
  return m;
}
