import { Module } from '@nestjs/common';
import { MongoAggregatesStore } from '../stores/mongo-aggregates.store';
import { PgAggregatesStore } from '../stores/pg-aggregates.store';
import { SinkMetrics } from '../infra/sink-metrics';
import { AggregateWriter } from './aggregate-writer';
import { aggregateConsumer } from './aggregates.consumer';
import { AGGREGATE_SPECS } from './specs';

@Module({
  // one thin Kafka handler per aggregate topic
  controllers: AGGREGATE_SPECS.map((spec) => aggregateConsumer(spec)),
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
