export * from './env';
export * from './http';
export * from './lake';
export * from './metrics';
export * from './pipeline';
export * from './process';
export * from './topics';
export * from './status';
