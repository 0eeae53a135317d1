import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../infra/tokens';
import { ReadRepository } from './read.repository';
import { TrafficController } from './traffic.controller';

@Module({
  controllers: [TrafficController],
  providers: [
    { provide: ReadRepository, inject: [PG_POOL], useFactory: (p: Pool) => new ReadRepository(p) },
  ],
})
export class ReadApiModule {}
