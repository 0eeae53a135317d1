#!/usr/bin/env node
/**
 * citypulse: what Redpanda Console shows, from the terminal, on any cluster the services reach.
 *
 *   node dist/main.js topics                       every topic: partitions, end offsets, lag per group
 *   node dist/main.js topics 'traffic.*' --json    the same for some topics, as JSON
 *   node dist/main.js tail traffic.normalized -n 10 [--follow]
 *                                                  the newest records as JSON lines, Avro decoded
 *
 * (`make topics`, `make tail TOPIC=... N=...` build it and run it.) Connection settings come from the
 * environment as every service reads them (libs/config: KAFKA_* with SASL and TLS,
 * SCHEMA_REGISTRY_*), over the repository's .env and .env.example. Exit codes: 0 ok, 1 Kafka or
 * registry failure, 64 bad arguments, 66 unknown topic, 78 bad configuration.
 */
import { loadConfigOrExit, loadRepoEnvFiles } from '@citypulse/config';
import { SchemaRegistryClient, createKafka } from '@citypulse/kafka';
import { exitFor } from '@citypulse/simulation';
import { USAGE, parseCommand, type Command } from './args';
import { cliConfigSchema } from './config';
import { CliError, EXIT } from './errors';
import { RecordDecoder } from './tail/decoder';
import { tailTopic } from './tail/tail';
import { collectTopics } from './topics/collect';
import { formatTopics } from './topics/format';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  loadRepoEnvFiles();
  const config = loadConfigOrExit(cliConfigSchema);
  const kafka = createKafka({ ...config.kafka, logLevel: 'nothing' });
  const brokers = config.kafka.brokers;
  try {
    await run(command, kafka, brokers, new SchemaRegistryClient(config.registry));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`Kafka at ${brokers.join(',')}: ${describe(e)}`, EXIT.failure, {
      cause: e,
    });
  }
  return EXIT.ok;
}

async function run(
  command: Exclude<Command, { kind: 'help' }>,
  kafka: ReturnType<typeof createKafka>,
  brokers: string[],
  registry: SchemaRegistryClient,
): Promise<void> {
  switch (command.kind) {
    case 'topics': {
      const report = await collectTopics(kafka, brokers, command);
      process.stdout.write(
        command.json
          ? `${JSON.stringify({ brokers, topics: report }, null, 2)}\n`
          : `${formatTopics(report)}\n`,
      );
      return;
    }
    case 'tail': {
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const { printed } = await tailTopic(kafka, brokers, new RecordDecoder(registry), command, {
          write: (line) => process.stdout.write(line),
          warn: (message) => process.stderr.write(`${message}\n`),
          signal: stop.signal,
        });
        if (printed === 0 && command.count > 0 && !command.follow) {
          process.stderr.write(`tail: ${command.topic} holds no records\n`);
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      return;
    }
  }
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause =
    e.cause instanceof Error && !e.message.includes(e.cause.message) ? ` (${e.cause.message})` : '';
  return `${e.message}${cause}`;
}

// `citypulse tail x | head`: a closed pipe ends the command quietly
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.ok);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const { code, message } = exitFor(e);
    process.stderr.write(`citypulse: ${message}\n`);
    process.exitCode = code;
  },
);
