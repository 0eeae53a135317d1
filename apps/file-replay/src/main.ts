import { runSimulationApp } from '@citypulse/simulation';
import { Logger } from '@nestjs/common';
import { REPLAY_FLAGS, replayConfigSchema, replayOptions } from './config/replay.config';
import { SERVICE, replayFile } from './replay/replay';

/**
 * file-replay: replays a CSV or JSON-lines file into a raw topic, every row checked against the
 * stream's raw contract (bad rows to the DLQ with their line number), e.g.
 *   node dist/main.js --stream transport --file samples/transport.jsonl --pace recorded --speed 60
 *   node dist/main.js --stream traffic --file readings.csv --pace max --topic traffic.raw.test --limit 1000
 *   node dist/main.js --stream tickets --file tickets.jsonl --dry-run      # check only, no Kafka
 * Flags mirror the REPLAY_* variables (see README.md). Exits 0 when the file is replayed (bad
 * rows included: they are in the DLQ), 1 on a Kafka or registry failure, 64 on bad flags,
 * 65 when a CSV header does not fit the contract, 66 when the file cannot be read, 78 on a bad
 * configuration.
 */
const logger = new Logger('FileReplay');

runSimulationApp({
  service: SERVICE,
  logger,
  flags: REPLAY_FLAGS,
  schema: replayConfigSchema,
  dryRun: (config) => config.replay.REPLAY_DRY_RUN,
  start: ({ config, kafkaMetrics }) => {
    return Promise.resolve({
      run: (signal) =>
        replayFile(
          replayOptions(config.replay, process.cwd()),
          { kafka: config.kafka, registry: config.registry, metrics: kafkaMetrics },
          logger,
          signal,
        ),
      close: () => Promise.resolve(),
    });
  },
});
