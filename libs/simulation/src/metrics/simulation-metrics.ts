import type { Metrics } from '@citypulse/observability';
import type { FaultKind } from '../faults/records';
import type { SimulationMetrics } from '../run/runner';

/**
 * A simulation's own metrics beside the shared ones (records produced per topic comes from
 * libs/kafka's producer): `<name>_records_sent_total` (records handed to the sinks),
 * `<name>_faults_injected_total{kind}`, `<name>_simulated_time_seconds` (where the simulated
 * clock stands) and `<name>_encode_errors_total{topic,field}` (records skipped, not sent), all under the registry's citypulse_ prefix.
 */
export function simulationMetrics(metrics: Metrics, name: string): SimulationMetrics {
  const sent = metrics.counter(
    `${name}_records_sent_total`,
    'Records the simulation handed to Kafka (and the dump).',
  );
  const faults = metrics.counter(
    `${name}_faults_injected_total`,
    'Faults injected into the sent records, by kind.',
    ['kind'],
  );
  const clock = metrics.gauge(
    `${name}_simulated_time_seconds`,
    'Event time of the newest clean record sent, epoch seconds.',
  );
  const encodeErrors = metrics.counter(
    `${name}_encode_errors_total`,
    'Records skipped because their topic`s Avro schema refused a field, by topic and field.',
    ['topic', 'field'],
  );
  return {
    sent: (n) => sent.inc(n),
    faultsInjected: (kind: FaultKind, n) => faults.inc({ kind }, n),
    simulatedTime: (t) => clock.set(t / 1000),
    encodeFailed: (topic, field) => encodeErrors.inc({ topic, field }),
  };
}
