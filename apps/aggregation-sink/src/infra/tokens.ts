/** Injection tokens of the sink's providers that are not classes. */
export const SINK_CONFIG = Symbol('SINK_CONFIG');
export const PG_POOL = Symbol('PG_POOL');
export const MONGO_CLIENT = Symbol('MONGO_CLIENT');
export const MONGO_DB = Symbol('MONGO_DB');
