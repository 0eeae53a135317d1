import type { Metrics } from '@citypulse/observability';
import { simulationMetrics, type SimulationMetrics } from '@citypulse/simulation';

/**
 * The producer's own metrics beside the shared ones (records produced per topic comes from
 * libs/kafka's producer): citypulse_ticket_producer_records_sent_total,
 * citypulse_ticket_producer_faults_injected_total{kind},
 * citypulse_ticket_producer_simulated_time_seconds.
 */
export function producerMetrics(metrics: Metrics): SimulationMetrics {
  return simulationMetrics(metrics, 'ticket_producer');
}
