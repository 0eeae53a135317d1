import { Module } from '@nestjs/common';
import { MongoAggregatesStore } from '../stores/mongo-aggregates.store';
import { PgAggregatesStore } from '../stores/pg-aggregates.store';
import { SinkMetrics } from '../infra/sink-metrics';
import { AggregateWriter } from './aggregate-writer';
import { AggregatesConsumer } from './aggregates.consumer';

@Module({
  controllers: [AggregatesConsumer],
  providers: [
    {
      provide: AggregateWriter,
      inject: [PgAggregatesStore, MongoAggregatesStore, SinkMetrics],
      useFactory: (pg: PgAggregatesStore, mongo: MongoAggregatesStore, metrics: SinkMetrics) =>
        new AggregateWriter(pg, mongo, metrics.writerObserver()),
    },
  ],
})
export class AggregatesModule {}
