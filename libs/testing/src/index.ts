export * from './env';
export * from './wait';
export * from './child';
export * from './hostile';
export * from './records';
