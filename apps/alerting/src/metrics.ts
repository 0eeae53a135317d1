import type { Alert } from '@citypulse/contracts';
import { BUCKETS, type Metrics } from '@citypulse/observability';

/** The alerting service's own metrics (on top of the shared Kafka ones). */
export class AlertingMetrics {
  private readonly alerts;
  private readonly evaluation;
  private readonly eventToAlert;
  private readonly open;
  private readonly deliveries;
  private readonly deadLetters;

  constructor(readonly metrics: Metrics) {
    this.alerts = metrics.counter(
      'alerts_total',
      'Alerts written to the alerts topic, by rule and status (FIRING, RESOLVED).',
      ['rule', 'status'],
    );
    this.evaluation = metrics.histogram(
      'alerting_evaluation_seconds',
      'Time to evaluate one batch of readings against every rule and write its alerts, by input topic.',
      ['topic'],
      BUCKETS.handlerSeconds,
    );
    this.eventToAlert = metrics.histogram(
      'alerting_event_to_alert_seconds',
      'From a reading being ingested by the normalizer (ingested_at) to its alert being acknowledged by Kafka, by rule.',
      ['rule'],
      [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5],
    );
    this.open = metrics.gauge('alerts_open', 'Open alert episodes (FIRING, not yet RESOLVED).');
    this.deliveries = metrics.counter(
      'webhook_deliveries_total',
      'Webhook delivery attempts by receiver and outcome (delivered, failed = attempt failed, dead_lettered = given up).',
      ['receiver', 'outcome'],
    );
    this.deadLetters = metrics.counter(
      'webhook_dead_letters_total',
      'Notifications a receiver never acknowledged, written to the alerts DLQ.',
      ['receiver'],
    );
  }

  written(alerts: readonly Alert[], openNow: number): void {
    for (const a of alerts) this.alerts.inc({ rule: a.rule, status: a.status });
    this.open.set(openNow);
  }

  evaluated(topic: string, seconds: number): void {
    this.evaluation.observe({ topic }, seconds);
  }

  eventLatency(rule: string, seconds: number): void {
    this.eventToAlert.observe({ rule }, seconds);
  }

  delivery(receiver: string, outcome: 'delivered' | 'failed' | 'dead_lettered'): void {
    this.deliveries.inc({ receiver, outcome });
    if (outcome === 'dead_lettered') this.deadLetters.inc({ receiver });
  }

  late(topic: string): void {
    this.metrics.late(topic);
  }
}
