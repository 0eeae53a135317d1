import { allContracts, type StreamContract } from './contracts';

/** Where the Confluent-compatible schema registry is (libs/config's SchemaRegistryConfig fits). */
export interface RegistryConnection {
  url: string;
  auth?: { username: string; password: string };
}

export type Compatibility =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

/** A registry answer other than 2xx. 409 = incompatible schema; 5xx and network errors are retriable. */
export class SchemaRegistryError extends Error {
  readonly code = 'SCHEMA_REGISTRY';
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: number | undefined,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SchemaRegistryError';
  }
}

async function call<T>(
  conn: RegistryConnection,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/vnd.schemaregistry.v1+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/vnd.schemaregistry.v1+json';
  if (conn.auth) {
    headers.Authorization = `Basic ${Buffer.from(`${conn.auth.username}:${conn.auth.password}`).toString('base64')}`;
  }
  const url = `${conn.url.replace(/\/+$/, '')}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new SchemaRegistryError(`${method} ${path}: registry unreachable`, 0, undefined, true, {
      cause: e,
    });
  }
  const text = await res.text();
  if (!res.ok) {
    let detail: { message?: string; error_code?: number } = {};
    try {
      detail = JSON.parse(text) as typeof detail;
    } catch {
      detail = { message: text.slice(0, 300) };
    }
    throw new SchemaRegistryError(
      `${method} ${path}: ${res.status} ${detail.message ?? res.statusText}`,
      res.status,
      detail.error_code,
      res.status >= 500 || res.status === 429,
    );
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Sets a subject's compatibility level (allowed before the subject's first version). */
export async function setCompatibility(
  conn: RegistryConnection,
  subject: string,
  level: Compatibility,
): Promise<void> {
  await call(conn, 'PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
}

/** A subject's own compatibility level, or undefined when it has none. */
export async function getCompatibility(
  conn: RegistryConnection,
  subject: string,
): Promise<string | undefined> {
  try {
    const r = await call<{ compatibilityLevel?: string }>(
      conn,
      'GET',
      `/config/${encodeURIComponent(subject)}`,
    );
    return r.compatibilityLevel;
  } catch (e) {
    if (e instanceof SchemaRegistryError && e.status === 404) return undefined;
    throw e;
  }
}

/** Registers a schema under a subject (idempotent: the same schema gets the same id). Returns the id. */
export async function registerSchema(
  conn: RegistryConnection,
  subject: string,
  schema: string,
): Promise<number> {
  const r = await call<{ id: number }>(
    conn,
    'POST',
    `/subjects/${encodeURIComponent(subject)}/versions`,
    {
      schema,
    },
  );
  return r.id;
}

/** Whether a schema may become the next version of a subject under its compatibility level. */
export async function isCompatible(
  conn: RegistryConnection,
  subject: string,
  schema: string,
): Promise<boolean> {
  const r = await call<{ is_compatible: boolean }>(
    conn,
    'POST',
    `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`,
    { schema },
  );
  return r.is_compatible;
}

/** Deletes a subject (soft, then permanently); for tests and tooling. */
export async function deleteSubject(conn: RegistryConnection, subject: string): Promise<void> {
  const path = `/subjects/${encodeURIComponent(subject)}`;
  await call(conn, 'DELETE', path);
  await call(conn, 'DELETE', `${path}?permanent=true`);
}

export interface RegisteredContract {
  stream: StreamContract['stream'];
  subject: string;
  id: number;
}

/**
 * Puts every contract's value schema under its subject (`<topic>-value`) with the given
 * compatibility (default BACKWARD): what a deployment runs before producers start. Idempotent.
 * A schema change that breaks compatibility fails here with a 409 SchemaRegistryError.
 */
export async function registerContracts(
  conn: RegistryConnection,
  opts: { compatibility?: Compatibility; contracts?: StreamContract[] } = {},
): Promise<RegisteredContract[]> {
  const out: RegisteredContract[] = [];
  for (const c of opts.contracts ?? allContracts()) {
    await setCompatibility(conn, c.subject, opts.compatibility ?? 'BACKWARD');
    out.push({
      stream: c.stream,
      subject: c.subject,
      id: await registerSchema(conn, c.subject, c.schemaString),
    });
  }
  return out;
}
