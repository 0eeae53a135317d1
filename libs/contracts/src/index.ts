export * from './generated/types';
export * from './topics';
export * from './schemas';
export * from './contracts';
export { CONTRACTS_DIR, SCHEMAS_DIR, TOPICS_FILE } from './paths';
export * from './registry';
