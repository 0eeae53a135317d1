import 'reflect-metadata';
import { loadConfigOrExit, loadRepoEnvFiles, redactedJson } from '@citypulse/config';
import { exitOnSignals, withKafkaReadiness } from '@citypulse/kafka';
import { Metrics, startObservabilityServer } from '@citypulse/observability';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { normalizerConfigSchema } from './config/normalizer.config';
import { NormalizerModule } from './normalizer.module';
import { normalizerTransport } from './transport';

/**
 * normalizer: one worker per process (NORMALIZER_WORKER, default traffic) consumes its raw
 * topic in batches, validates, normalizes and enriches, and produces the normalized topic;
 * rejects go to <raw topic>.dlq. Start more processes with the same group to scale out.
 */
async function main(): Promise<void> {
  loadRepoEnvFiles();
  const config = loadConfigOrExit(normalizerConfigSchema, process.env);
  const worker = config.normalizer.NORMALIZER_WORKER;
  const log = new Logger('Normalizer');
  log.log(`config: ${redactedJson(config)}`); // secrets masked
  const metrics = new Metrics({ service: 'normalizer', labels: { worker } });
  const obs = await startObservabilityServer({ metrics, ...config.metrics });
  const kafkaReady = obs.health.flag('kafka');
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    NormalizerModule.forRoot(config, metrics),
    {
      strategy: normalizerTransport(config, withKafkaReadiness(metrics, kafkaReady)),
      logger: config.log.level === 'silent' ? false : undefined,
    },
  );
  exitOnSignals({
    close: async () => {
      await app.close();
      await obs.stop();
    },
  });
  await app.listen();
  log.log(`${worker} worker consuming; metrics on :${obs.port}`);
}

main().catch((e: unknown) => {
  new Logger('Normalizer').error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
