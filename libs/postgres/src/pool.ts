import { CustomTypesConfig, Pool, types } from 'pg';

/** What a service needs to reach PostgreSQL; built from POSTGRES_URL by libs/config. */
export interface PostgresConfig {
  /** postgres://user:password@host:port/db */
  url: string;
  /** most connections this pool opens (default 10) */
  poolMax?: number;
  /** shown in pg_stat_activity */
  applicationName?: string;
  /** per statement, so a hung server surfaces as an error instead of a stuck handler (default 30 s) */
  statementTimeoutMs?: number;
  /** how long to wait for a connection (default 10 s) */
  connectionTimeoutMs?: number;
}

export interface PgLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const INT8_OID = 20;

// int8 (bigint, count(*)) as a JS number instead of pg's default string: every count this
// platform stores is far below 2^53.
const parsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown => {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return types.getTypeParser(oid, format ?? 'text');
  }) as CustomTypesConfig['getTypeParser'],
};

/** A pg Pool for a typed config. Idle-client errors (server restart) are logged, never fatal. */
export function createPool(config: PostgresConfig, logger?: PgLogger): Pool {
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolMax ?? 10,
    application_name: config.applicationName ?? 'citypulse',
    statement_timeout: config.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: config.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    types: parsers,
  });
  // Without a listener an idle client's error (e.g. the server restarting) crashes the process.
  pool.on('error', (err) => logger?.warn(`postgres idle client error: ${err.message}`));
  return pool;
}

/**
 * True for an error PostgreSQL raised over the data of the statement itself: SQLSTATE class 22
 * (data exception: a NUL in text, a number out of its column's range, an impossible timestamp) or
 * 23 (integrity constraint violation). Sending the same rows again fails the same way, so a
 * caller must set them aside (a DLQ) instead of retrying; anything else (the server away, a
 * timeout, a lost connection) may pass and is retried.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
