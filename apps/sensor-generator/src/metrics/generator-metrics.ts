import type { Metrics } from '@citypulse/observability';
import { simulationMetrics, type SimulationMetrics } from '@citypulse/simulation';

/**
 * The generator's own metrics beside the shared ones (records produced per topic comes from
 * libs/kafka's producer): citypulse_generator_records_sent_total,
 * citypulse_generator_faults_injected_total{kind}, citypulse_generator_simulated_time_seconds.
 */
export function generatorMetrics(metrics: Metrics): SimulationMetrics {
  return simulationMetrics(metrics, 'generator');
}
