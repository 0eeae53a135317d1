import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { KafkaExceptionFilter } from './kafka-exception.filter';

/** Import in a microservice that uses KafkaBatchTransport: keeps handler errors typed. */
@Module({ providers: [{ provide: APP_FILTER, useClass: KafkaExceptionFilter }] })
export class KafkaTransportModule {}
