export const GENERATOR_CONFIG = Symbol('GENERATOR_CONFIG');
export const CITY = Symbol('CITY');
export const GENERATOR_METRICS = Symbol('GENERATOR_METRICS');
export const KAFKA_METRICS = Symbol('KAFKA_METRICS');
/** the topic of each stream: the contracts' unless a test gives its own */
export const OUTPUT_TOPICS = Symbol('OUTPUT_TOPICS');
