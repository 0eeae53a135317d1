export const PRODUCER_CONFIG = Symbol('PRODUCER_CONFIG');
export const CITY = Symbol('CITY');
export const PRODUCER_METRICS = Symbol('PRODUCER_METRICS');
export const KAFKA_METRICS = Symbol('KAFKA_METRICS');
export const OUTPUT_TOPIC = Symbol('OUTPUT_TOPIC');
