export { Prng } from './random/prng';
export {
  BROKEN_AVRO_VARIANTS,
  FAULT_KINDS,
  type BrokenAvroVariant,
  type CleanSource,
  type EventLike,
  type FaultKind,
  type SimRecord,
  type Tagged,
  type Unsequenced,
} from './faults/records';
export {
  FaultInjector,
  NO_FAULTS,
  type FaultOptions,
  type FaultProfile,
  type RecordSource,
} from './faults/fault-injector';
export { periodicTime } from './sources/periodic';
export {
  StreamMux,
  type MuxRecord,
  type MuxStream,
  type SteppableSource,
} from './sources/stream-mux';
export {
  DEFAULT_INTERVAL_MS,
  resolveStart,
  resolveTiming,
  type Timing,
  type TimingInput,
} from './run/timing';
export { ClockPacer, Pacer } from './run/pacer';
export {
  NOOP_SIMULATION_METRICS,
  SimulationRunner,
  type RecordSink,
  type RunOptions,
  type RunRecord,
  type RunSummary,
  type SimulationMetrics,
} from './run/runner';
export { fromJsonLine, toJsonLine } from './dump/jsonl';
export { JsonlDumpSink } from './dump/dump-sink';
export {
  KafkaRecordSink,
  KafkaStreamsSink,
  sendRecords,
  type EncodeFailure,
  type OnEncodeFailure,
} from './kafka/kafka-sink';
export { reportEncodeFailures, type ErrorLog } from './kafka/encode-failures';
export { connectProducer, type ProducerConnection } from './kafka/connect';
export { decimal, rate } from './config/numbers';
export { FlagError, usage, withFlags, type FlagSpec } from './config/flags';
export {
  SIMULATION_FLAG_ALIASES,
  SIMULATION_SWITCHES,
  describeFaults,
  runBounds,
  simulationEnv,
  simulationSettings,
  type SimulationEnvShape,
  type SimulationSettings,
} from './config/simulation-env';
export { simulationMetrics } from './metrics/simulation-metrics';
export {
  ExitCodeError,
  exitFor,
  runSimulationApp,
  type SimulationApp,
  type SimulationAppSpec,
} from './app/launch';
export {
  openSinks,
  runSimulation,
  type RunLog,
  type SimulationRunSpec,
} from './run/simulation-run';
export { simulationConfig, simulationFlags } from './config/simulation-config';
export {
  FAR_FUTURE_MS,
  faultProfile,
  farFuture,
  type Corruptions,
  type ProfileOf,
} from './faults/fault-profile';
/** For the simulated sources' integration tests. */
export {
  faultyRunFlags,
  readBackByPartition,
  type ReceivedRecord,
  type SentRecord,
} from './testing/kafka-run';
