import type { Alert } from '@citypulse/contracts';
import { BUCKETS, type Metrics } from '@citypulse/observability';
import { RULES, type RuleId } from './engine/alert-engine';
import type { AlertSeverity, Rules } from './rules/rules-file';

/** The rules file's section of each rule id (its severity and whether it is enabled). */
const SECTION: { readonly [R in RuleId]: keyof Rules } = {
  [RULES.severeCongestion]: 'severe_congestion',
  [RULES.overcapacity]: 'overcapacity',
  [RULES.crowdedVehicle]: 'crowded_vehicle',
  [RULES.criticalIncident]: 'critical_incident',
  [RULES.silentSensor]: 'silent_sensor',
  [RULES.stuckSensor]: 'stuck_sensor',
  [RULES.dlqRate]: 'dlq_rate',
  [RULES.anomaly]: 'anomaly',
  [RULES.correlated]: 'correlation',
};

/** The severity every alert of each enabled rule carries (the rules file's `severity`). */
export function ruleSeverities(rules: Rules): Map<string, AlertSeverity> {
  const out = new Map<string, AlertSeverity>();
  for (const [rule, section] of Object.entries(SECTION)) {
    const r = rules[section] as { enabled?: boolean; severity?: AlertSeverity };
    if (r.enabled !== false && r.severity) out.set(rule, r.severity);
  }
  return out;
}

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

  /**
   * citypulse_city_alerts_open{rule,severity}, counted from `open()` (the engine's open episodes)
   * at each scrape, so it is right after a restore as after every batch; every enabled rule has
   * its series, 0 while none of its alerts is open. An episode's severity is its rule's.
   */
  openAlertsFrom(
    open: () => Iterable<{ rule: string }>,
    severities: ReadonlyMap<string, string>,
  ): void {
    this.metrics.cityGauge('city_alerts_open', function collect() {
      const counts = new Map<string, number>([...severities.keys()].map((r) => [r, 0]));
      for (const e of open()) counts.set(e.rule, (counts.get(e.rule) ?? 0) + 1);
      this.reset();
      for (const [rule, n] of counts)
        this.set({ rule, severity: severities.get(rule) ?? 'UNKNOWN' }, n);
    });
  }

  /** Webhook delivery series of each receiver start at 0, so "no failures" is a value, not a gap. */
  receivers(names: readonly string[]): void {
    for (const receiver of names) {
      for (const outcome of ['delivered', 'failed', 'dead_lettered'] as const)
        this.deliveries.inc({ receiver, outcome }, 0);
      this.deadLetters.inc({ receiver }, 0);
    }
  }
}
