import 'reflect-metadata';
import { runSimulationApp } from '@citypulse/simulation';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GENERATOR_FLAGS, generatorConfigSchema } from './config/generator.config';
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
runSimulationApp({
  service: 'sensor-generator',
  logger: new Logger('SensorGenerator'),
  flags: GENERATOR_FLAGS,
  schema: generatorConfigSchema,
  dryRun: (config) => config.generator.GENERATOR_DRY_RUN,
  start: async ({ config, metrics, kafkaMetrics }) => {
    const app = await NestFactory.createApplicationContext(
      GeneratorModule.forRoot({ config, metrics: generatorMetrics(metrics), kafkaMetrics }),
      { logger: config.log.level === 'silent' ? false : undefined },
    );
    return { run: (signal) => app.get(GeneratorService).run(signal), close: () => app.close() };
  },
});
