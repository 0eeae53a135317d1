export const GENERATOR_CONFIG = Symbol('GENERATOR_CONFIG');
export const CITY = Symbol('CITY');
export const GENERATOR_METRICS = Symbol('GENERATOR_METRICS');
export const KAFKA_METRICS = Symbol('KAFKA_METRICS');
export const OUTPUT_TOPIC = Symbol('OUTPUT_TOPIC');
