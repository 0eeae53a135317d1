export * from './city';
export * from './migrations';
export * from './pool';
export * from './reference-data.repository';
export * from './seed';
