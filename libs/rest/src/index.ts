export * from './problems';
export * from './query-params';
export * from './decorators';
export * from './rest-api';
export * from './routes';
export * from './response-check';
