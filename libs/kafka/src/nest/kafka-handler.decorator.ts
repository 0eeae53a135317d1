import { EventPattern } from '@nestjs/microservices';
import type { HandlerOptions } from '../consumer/types';

/** Key under which handler options travel in the pattern's extras. */
export const KAFKA_HANDLER_OPTIONS = 'citypulseKafka';

/**
 * Marks a controller method as the handler of one topic on KafkaBatchTransport.
 * `@KafkaHandler('traffic.raw')` gets `(record: KafkaRecord<T>, ctx: KafkaContext)`;
 * `@KafkaHandler('traffic.raw', { mode: 'batch' })` gets `(records: KafkaRecord<T>[], ctx: KafkaContext)`.
 */
export function KafkaHandler(topic: string, options: HandlerOptions = {}): MethodDecorator {
  return EventPattern(topic, { [KAFKA_HANDLER_OPTIONS]: options });
}
