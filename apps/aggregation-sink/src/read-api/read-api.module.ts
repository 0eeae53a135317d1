import { Module } from '@nestjs/common';
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
