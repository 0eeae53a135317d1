/** The generator as a library: the exact event sequence of a run, for tests and tools. */
export {
  DEFAULT_INCIDENTS_PER_ZONE_PER_DAY,
  createInjector,
  generateRecords,
  incidentTimeline,
  type GenerationOptions,
} from './dump/generate';
export {
  GENERATOR_STREAMS,
  NUMERIC_FIELDS,
  STREAM_CONTRACTS,
  createCityInjector,
  generateCityRecords,
  runLoad,
  type CityGenerationOptions,
  type CityInjector,
  type CityRecord,
  type GeneratorStream,
} from './streams/city-streams';
export { toJsonLine, fromJsonLine } from './dump/jsonl';
export {
  FAULT_KINDS,
  BROKEN_AVRO_VARIANTS,
  NO_FAULTS,
  resolveStart,
  resolveTiming,
  DEFAULT_INTERVAL_MS,
  type FaultKind,
  type FaultOptions,
  type BrokenAvroVariant,
  type Timing,
} from '@citypulse/simulation';
export {
  MALFORMED_VARIANTS,
  TRAFFIC_FAULTS,
  corrupt,
  type GeneratedRecord,
  type MalformedVariant,
} from './traffic/traffic-faults';
export {
  TRANSPORT_FAULTS,
  TRANSPORT_MALFORMED_VARIANTS,
  type TransportMalformedVariant,
  type TransportRecord,
} from './transport/transport-faults';
export {
  INCIDENT_FAULTS,
  INCIDENT_MALFORMED_VARIANTS,
  type IncidentMalformedVariant,
  type IncidentRecord,
} from './incidents/incident-faults';
export { KMH_PER_MPH, ReadingSequence, type BaseReading } from './traffic/reading-sequence';
export { VehicleSequence, type BaseStatus } from './transport/vehicle-sequence';
export { TransportModel, type Vehicle, type VehicleStatus } from './transport/transport-model';
export { IncidentSequence } from './incidents/incident-sequence';
export {
  IncidentTimeline,
  SEVERITY_PRESSURE,
  severityAt,
  type Incident,
  type IncidentImpact,
} from './incidents/incident-timeline';
export { zoneCentres, lineRoute, CITY_CENTRE, type LatLon, type LineRoute } from './city/geography';
export { planRun, describePlan, type RunPlan } from './run/plan';
export {
  describeScenario,
  loadScenario,
  scenarioProblems,
  type ForcedCrowding,
  type ForcedIncident,
  type ForcedJam,
  type Scenario,
} from './scenario/scenario';
