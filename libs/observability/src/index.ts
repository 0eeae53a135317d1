export { BUCKETS, METRIC_PREFIX, Metrics, type MetricsOptions } from './metrics';
export { Health, type CheckResult, type HealthReport, type ReadinessCheck } from './health';
export {
  ObservabilityServer,
  startObservabilityServer,
  type ObservabilityServerOptions,
} from './server';
