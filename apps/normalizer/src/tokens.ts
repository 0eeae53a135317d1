export const NORMALIZER_CONFIG = Symbol('NORMALIZER_CONFIG');
export const METRICS = Symbol('METRICS');
export const KAFKA = Symbol('KAFKA');
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');
export const PG_POOL = Symbol('PG_POOL');
