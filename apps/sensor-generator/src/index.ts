/** The generator as a library: the exact event sequence of a run, for tests and tools. */
export { generateRecords, createInjector, type GenerationOptions } from './dump/generate';
export { toJsonLine, fromJsonLine } from './dump/jsonl';
export {
  FAULT_KINDS,
  MALFORMED_VARIANTS,
  BROKEN_AVRO_VARIANTS,
  NO_FAULTS,
  type FaultKind,
  type FaultOptions,
  type GeneratedRecord,
  type MalformedVariant,
  type BrokenAvroVariant,
} from './faults/fault-injector';
export { KMH_PER_MPH, ReadingSequence, type BaseReading } from './simulation/reading-sequence';
export { resolveStart, resolveTiming, DEFAULT_INTERVAL_MS, type Timing } from './run/timing';
export { planRun, type RunPlan } from './run/plan';
