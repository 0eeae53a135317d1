import type { KafkaConfig, SchemaRegistryConfig } from '@citypulse/config';
import { dlqTopic, type ValueOf } from '@citypulse/contracts';
import type { KafkaMetrics } from '@citypulse/kafka';
import {
  ExitCodeError,
  SimulationRunner,
  connectProducer,
  type RunOptions,
  type RunLog,
} from '@citypulse/simulation';
import { accessSync, constants, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Pace } from '../config/replay.config';
import { readLines } from '../rows/line-reader';
import { formatOfPath, parseRows, type FileFormat } from '../rows/rows';
import { replayContract, type ReplayStream } from '../streams';
import { FileSource, type RejectedRow } from './file-source';
import { ReplaySink, type ReplayOutput } from './replay-sink';

export const SERVICE = 'file-replay';

/** sysexits.h: the input file cannot be opened. */
export const EX_NOINPUT = 66;

export interface ReplayOptions {
  stream: ReplayStream;
  /** as given; a relative path is taken from `baseDir` */
  file: string;
  baseDir: string;
  /** undefined: from the file's extension */
  format: FileFormat | undefined;
  pace: Pace;
  /** with pace 'recorded': event time runs this many times faster than the recording */
  speed: number;
  /** undefined: the stream's raw topic */
  topic: string | undefined;
  /** rows to read at most (good and bad); 0 = all */
  limit: number;
  batchSize: number;
  /** check the rows, send nothing */
  dryRun: boolean;
}

export interface ReplayConnection {
  kafka: KafkaConfig;
  registry: SchemaRegistryConfig;
  metrics?: KafkaMetrics;
}

export interface ReplaySummary {
  file: string;
  topic: string;
  dlqTopic: string;
  /** rows read: produced + rejected */
  read: number;
  produced: number;
  rejected: number;
  elapsedMs: number;
}

/** Rejected rows logged one by one; past this many only the summary counts them. */
const REJECTS_LOGGED = 100;

/**
 * Replays a file into a raw topic: its rows checked against the stream's raw contract, good
 * ones produced (Confluent Avro through the registry), bad ones to the topic's DLQ with their
 * line; paced by the rows' event time scaled by `speed`, or as fast as possible. Ends with a
 * summary line. Throws ExitCodeError 66 when the file cannot be read, 65 when a CSV header does
 * not fit the contract.
 */
export async function replayFile(
  options: ReplayOptions,
  connection: ReplayConnection | undefined,
  log: RunLog & { warn(message: string): void },
  signal?: AbortSignal,
): Promise<ReplaySummary> {
  const path = resolve(options.baseDir, options.file);
  assertReadable(path);
  const format = options.format ?? formatOfPath(path);
  if (!format) throw new ExitCodeError(`${path}: say its format (csv or jsonl)`, 64);
  const { contract, rows } = replayContract(options.stream);
  const topic = options.topic ?? contract.topic;
  const dlq = dlqTopic(topic);

  const source = new FileSource<ValueOf<typeof contract.stream>>(
    parseRows(readLines(path), format, rows),
  );
  let sink: ReplaySink<ValueOf<typeof contract.stream>> | undefined;
  try {
    const firstTime = source.firstEventTime(); // reads the CSV header: a bad one throws here
    const output = connection && !options.dryRun ? await openOutput() : undefined;
    let logged = 0;
    sink = new ReplaySink(output, (r: RejectedRow) => {
      if (logged++ < REJECTS_LOGGED) {
        log.warn(
          `${basename(path)}:${r.line} rejected${output ? ` -> ${dlq}` : ''}: ${r.error.message}`,
        );
      }
    });
    log.log(
      `replaying ${path} (${format}) into ${options.dryRun ? '(dry run: nothing)' : topic}, ` +
        `pace ${options.pace}${options.pace === 'recorded' ? ` x${options.speed}` : ''}` +
        (output ? ` (schema id ${output.topic.schemaId})` : ''),
    );
    const run = await new SimulationRunner(source, [sink], {
      ...runOptions(options, firstTime),
      ...(signal && { signal }),
    }).run();
    const summary: ReplaySummary = {
      file: path,
      topic,
      dlqTopic: dlq,
      read: run.sent,
      produced: sink.produced,
      rejected: sink.rejected,
      elapsedMs: run.elapsedMs,
    };
    log.log(describeSummary(summary, options.dryRun));
    return summary;
  } finally {
    source.close();
    await sink?.close();
  }

  async function openOutput(): Promise<ReplayOutput<ValueOf<typeof contract.stream>>> {
    const producer = await connectProducer({
      ...connection!,
      topics: [
        { topic, partitions: contract.partitions },
        { topic: dlq, partitions: contract.partitions },
      ],
    });
    try {
      const bound = await producer.topic<ValueOf<typeof contract.stream>>(topic, {
        schema: contract.schema,
      });
      return { producer, topic: bound, dlqTopic: dlq, file: basename(path), service: SERVICE };
    } catch (e) {
      await producer.disconnect();
      throw e;
    }
  }
}

/**
 * The run of a replay: `max` as fast as the producer takes it; `recorded` by the simulated clock
 * started at the first good row's event time, at `speed` (a file with no good row: at once).
 */
export function runOptions(
  o: Pick<ReplayOptions, 'pace' | 'speed' | 'limit' | 'batchSize'>,
  firstEventTime: number | undefined,
): RunOptions {
  const bounds = {
    maxEvents: o.limit > 0 ? o.limit : Infinity,
    maxDurationMs: Infinity,
    batchSize: o.batchSize,
  };
  if (o.pace === 'max' || firstEventTime === undefined) return { ...bounds, rate: Infinity };
  // With a clock the runner paces by event time; the rate only has to be finite to say so.
  return {
    ...bounds,
    rate: Number.MAX_VALUE,
    clock: { speedup: o.speed, startTime: firstEventTime },
  };
}

/** The last line of a replay: rows read, produced, rejected. */
export function describeSummary(s: ReplaySummary, dryRun = false): string {
  return (
    `replay done: ${s.read} rows read, ${s.produced} ${dryRun ? 'valid (dry run, not sent)' : 'produced'}, ` +
    `${s.rejected} rejected${dryRun ? '' : ` (to ${s.dlqTopic})`}; ${basename(s.file)} -> ` +
    `${s.topic} in ${(s.elapsedMs / 1000).toFixed(1)} s`
  );
}

function assertReadable(path: string): void {
  try {
    accessSync(path, constants.R_OK);
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch (e) {
    throw new ExitCodeError(`cannot read ${path}: ${(e as Error).message}`, EX_NOINPUT, {
      cause: e,
    });
  }
}
