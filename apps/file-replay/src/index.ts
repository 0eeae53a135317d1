/** The replay as a library: parsing, conversion and validation of rows, the file source, the run. */
export { parseCsvLine, toCsvLine } from './rows/csv';
export { recordConverter, timestampMillis, type RecordConverter } from './rows/convert';
export { assertValid } from './rows/validate';
export { RowError } from './rows/row-error';
export {
  FILE_FORMATS,
  formatOfPath,
  parseRows,
  type FileFormat,
  type Line,
  type ParsedRow,
  type RowContract,
} from './rows/rows';
export { readLines } from './rows/line-reader';
export {
  FileSource,
  type RejectedRow,
  type ReplayRecord,
  type ReplayedRow,
} from './replay/file-source';
export { ReplaySink, type ReplayOutput } from './replay/replay-sink';
export {
  describeSummary,
  replayFile,
  runOptions,
  type ReplayConnection,
  type ReplayOptions,
  type ReplaySummary,
} from './replay/replay';
export { REPLAY_STREAMS, replayContract, type ReplayStream } from './streams';
