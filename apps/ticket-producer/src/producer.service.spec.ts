import 'reflect-metadata';
import { loadConfig } from '@citypulse/config';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { producerConfigSchema, withFlags } from './config/producer.config';
import { fromJsonLine } from './dump/jsonl';
import { ProducerModule } from './producer.module';
import { ProducerService } from './producer.service';
import { planRun } from './run/plan';
import { testCity } from './testing/city';
import { generateTickets } from './tickets/generate';

const stack = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };

describe('ProducerService (dry run, no Kafka)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickets-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends from the flags exactly the library`s sequence, as the dump shows', async () => {
    const dump = join(dir, 'tickets.jsonl');
    const flags = [
      ...['--dry-run', '--dump', dump, '--events', '2000', '--rate', 'max', '--seed', 'unit'],
      ...['--start', '2024-01-08T07:00:00Z', '--duplicates', '0.02', '--malformed', '0.02'],
    ];
    const config = loadConfig(producerConfigSchema, withFlags(flags, stack));
    const app = await NestFactory.createApplicationContext(ProducerModule.forRoot({ config }), {
      logger: false,
    });
    const summary = await app.get(ProducerService).run();
    await app.close();
    expect(summary.sent).toBe(2_000);
    const expected = [
      ...generateTickets(planRun(config.producer, testCity(), 0).generation, 2_000),
    ];
    const dumped = readFileSync(dump, 'utf8').trim().split('\n').map(fromJsonLine);
    expect(dumped).toEqual(expected);
  });

  it('paces a sped-up run by the simulated clock', async () => {
    // 3600x: one simulated hour per wall second; ~330 tickets an hour on average
    const config = loadConfig(
      producerConfigSchema,
      withFlags(['--dry-run', '--speedup', '3600', '--duration', '1', '--seed', 'pace'], stack),
    );
    const app = await NestFactory.createApplicationContext(ProducerModule.forRoot({ config }), {
      logger: false,
    });
    const summary = await app.get(ProducerService).run();
    await app.close();
    expect(summary.elapsedMs).toBeGreaterThanOrEqual(950);
    expect(summary.sent).toBeGreaterThan(20);
    expect(summary.sent).toBeLessThan(3_000);
  });
});
