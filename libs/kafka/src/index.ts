export * from './errors';
export * from './wire/confluent-frame';
export * from './retry/backoff';
export * from './dlq/dlq-headers';
/** The platform's one schema-registry client lives in libs/contracts; the serde and transport take it from there. */
export {
  SchemaRegistryClient,
  SchemaRegistryError,
  type Compatibility,
  type RegisteredSchema,
  type SchemaRegistryOptions,
} from '@citypulse/contracts';
export * from './serde/avro-serde';
export * from './metrics';
export * from './connection';
export * from './consumer/types';
export * from './consumer/batch-consumer';
export {
  DEFAULT_RECORD_LIMITS,
  FIELD_TOO_LONG_REASON,
  TOO_LARGE_REASON,
  type RecordLimits,
} from './consumer/record-limits';
export * from './producer/kafka-producer';
export * from './nest/kafka-context';
export * from './nest/kafka-exception.filter';
export * from './nest/kafka-handler.decorator';
export * from './nest/kafka-batch.transport';
export * from './nest/kafka-producer.client';
export * from './nest/kafka-transport.module';
export * from './shutdown';
export * from './admin/ensure-topics';
