import 'reflect-metadata';
import { loadConfig } from '@citypulse/config';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatorConfigSchema, withFlags } from './config/generator.config';
import { fromJsonLine } from './dump/jsonl';
import { GeneratorModule } from './generator.module';
import { GeneratorService } from './generator.service';
import { planRun } from './run/plan';
import { generateCityRecords } from './streams/city-streams';
import { testCity } from './testing/city';

const stack = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };

describe('GeneratorService (dry run, no Kafka)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends from the flags exactly the library`s sequence of every stream, as the dump shows', async () => {
    const dump = join(dir, 'events.jsonl');
    const flags = [
      ...['--dry-run', '--dump', dump, '--events', '3000', '--rate', 'max', '--seed', 'unit'],
      ...['--start', '2024-01-08T07:00:00Z', '--duplicates', '0.02', '--late', '0.01'],
      ...['--malformed', '0.01', '--broken-avro', '0.01', '--incidents-per-day', '50'],
    ];
    const config = loadConfig(generatorConfigSchema, withFlags(flags, stack));
    const app = await NestFactory.createApplicationContext(GeneratorModule.forRoot({ config }), {
      logger: false,
    });
    const summary = await app.get(GeneratorService).run();
    await app.close();
    expect(summary.sent).toBe(3_000);
    const expected = [
      ...generateCityRecords(planRun(config.generator, testCity(), 0).generation, 3_000),
    ];
    const dumped = readFileSync(dump, 'utf8')
      .trim()
      .split('\n')
      .map((l) => fromJsonLine(l));
    expect(dumped).toEqual(expected);
    expect(new Set(dumped.map((r) => r.stream))).toEqual(
      new Set(['traffic', 'transport', 'incidents']),
    );
  });
});
