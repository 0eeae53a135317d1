import { Module, type INestApplication } from '@nestjs/common';
import { setupRestApi } from '@citypulse/rest';
import type { Pool } from 'pg';
import { AGGREGATE_SPECS } from '../aggregates/specs';
import { PG_POOL } from '../infra/tokens';
import { aggregateReadController } from './aggregate-read.controller';
import { ReadRepository } from './read.repository';

@Module({
  // GET /<route>/latest and GET /<route>/.../windows for every aggregate
  controllers: AGGREGATE_SPECS.map((spec) => aggregateReadController(spec)),
  providers: [
    { provide: ReadRepository, inject: [PG_POOL], useFactory: (p: Pool) => new ReadRepository(p) },
  ],
})
export class ReadApiModule {}

/**
 * Strict query parameters on every route, and the API description: GET /openapi.json (generated
 * from the controllers, so from the aggregate specs) and Swagger UI at GET /docs. Before init.
 */
export function setupReadApi(app: INestApplication) {
  return setupRestApi(app, {
    title: 'citypulse aggregation-sink',
    description:
      'The windowed aggregates of every stream, read from PostgreSQL: per aggregate, the latest ' +
      "window of every series and a series' windows by time range, page by page. Every route " +
      'refuses what it does not take (unknown, repeated, bracketed, empty, mistyped or ' +
      'out-of-range parameters) with a 400 naming the parameter. The alerts are served and ' +
      'documented by the alerting service (its own /openapi.json and /docs).',
    version: '1.0',
  });
}
