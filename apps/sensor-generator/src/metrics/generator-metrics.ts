import type { Metrics } from '@citypulse/observability';
import type { FaultKind } from '../faults/fault-injector';
import type { GeneratorMetrics } from '../run/generator-runner';

/**
 * The generator's own metrics beside the shared ones (records produced per topic comes from
 * libs/kafka's producer): records handed to the sinks, faults injected by kind, and where the
 * simulated clock stands.
 */
export function generatorMetrics(metrics: Metrics): GeneratorMetrics {
  const sent = metrics.counter(
    'generator_records_sent_total',
    'Records the generator handed to Kafka (and the dump).',
  );
  const faults = metrics.counter(
    'generator_faults_injected_total',
    'Faults injected into the sent records, by kind.',
    ['kind'],
  );
  const clock = metrics.gauge(
    'generator_simulated_time_seconds',
    'Event time of the newest clean reading sent, epoch seconds.',
  );
  return {
    sent: (n) => sent.inc(n),
    faultsInjected: (kind: FaultKind, n) => faults.inc({ kind }, n),
    simulatedTime: (t) => clock.set(t / 1000),
  };
}
