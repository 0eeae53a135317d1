export {
  catalogProblems,
  CITY_GAUGES,
  isCityGauge,
  METRIC_CATALOG,
  metricDoc,
  type CityGaugeLabel,
  type CityGaugeName,
  type Exporter,
  type MetricDoc,
  type MetricType,
} from './catalog';
export { BUCKETS, METRIC_PREFIX, Metrics, type MetricsOptions } from './metrics';
export { Health, type CheckResult, type HealthReport, type ReadinessCheck } from './health';
export {
  ObservabilityServer,
  startObservabilityServer,
  type ObservabilityServerOptions,
} from './server';
