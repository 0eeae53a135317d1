import 'reflect-metadata';
import { loadConfigOrExit, loadRepoEnvFiles } from '@citypulse/config';
import { withKafkaReadiness } from '@citypulse/kafka';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Metrics, startObservabilityServer } from '@citypulse/observability';
import { FlagError, generatorConfigSchema, usage, withFlags } from './config/generator.config';
import { GeneratorModule } from './generator.module';
import { GeneratorService } from './generator.service';
import { generatorMetrics } from './metrics/generator-metrics';

/**
 * sensor-generator: simulates the city — traffic sensors, public-transport vehicles, incidents —
 * and produces their records to the raw topics of the contracts. Flags mirror the GENERATOR_*
 * variables (see README.md), e.g.
 *   node dist/main.js --rate 500 --speedup 60 --duplicates 0.01 --events 100000
 *   node dist/main.js --streams traffic,incidents --incidents-per-day 6
 * Exits 0 when the run ends (event/time bound reached, or SIGINT/SIGTERM), 1 on failure,
 * 64 on bad flags, 78 on a bad configuration.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  loadRepoEnvFiles();
  let source;
  try {
    source = withFlags(argv, process.env);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(64);
  }
  const config = loadConfigOrExit(generatorConfigSchema, source);
  const metrics = new Metrics({ service: 'sensor-generator' });
  const obs = await startObservabilityServer({ metrics, port: config.metrics.port });
  const kafkaReady = config.generator.GENERATOR_DRY_RUN
    ? { set: () => undefined }
    : obs.health.flag('kafka');
  const app = await NestFactory.createApplicationContext(
    GeneratorModule.forRoot({
      config,
      metrics: generatorMetrics(metrics),
      kafkaMetrics: withKafkaReadiness(metrics, kafkaReady),
    }),
    {
      logger: config.log.level === 'silent' ? false : undefined,
    },
  );
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      new Logger('SensorGenerator').log(`${signal}: finishing the batch in flight`);
      stop.abort();
    });
  }
  try {
    await app.get(GeneratorService).run(stop.signal);
  } finally {
    await app.close();
    await obs.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    new Logger('SensorGenerator').error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
