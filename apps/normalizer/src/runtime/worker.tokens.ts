/** Providers of the worker module (runtime/worker.module.ts). */
export const WORKER_OUTPUT = Symbol('WORKER_OUTPUT');
export const WORKER_REFERENCE = Symbol('WORKER_REFERENCE');
export const WORKER_METRICS = Symbol('WORKER_METRICS');
export const NORMALIZE_BATCH = Symbol('NORMALIZE_BATCH');
