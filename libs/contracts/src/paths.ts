import { join } from 'node:path';

// src/paths.ts and dist/paths.js both sit one level below the package root, so the same relative
// path finds the schema files from sources (tests) and from the build (apps).
/** The package root of @citypulse/contracts (holds schemas/ and topics.json). */
export const CONTRACTS_DIR = join(__dirname, '..');
/** The folder of the .avsc files, the single source of truth of every record. */
export const SCHEMAS_DIR = join(CONTRACTS_DIR, 'schemas');
/** topics.json: topic names, schema files and keys, also read by the Spark job. */
export const TOPICS_FILE = join(CONTRACTS_DIR, 'topics.json');
