import { allContracts, type StreamContract } from './contracts';

/**
 * How to reach a Confluent-compatible schema registry: libs/config's registry fragment (`url`,
 * `auth`) fits as it is; `username`/`password` are the flat spelling of the same basic auth.
 */
export interface SchemaRegistryOptions {
  url: string;
  auth?: { username: string; password: string } | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /** per request (default 10 s) */
  timeoutMs?: number;
}

/** The earlier name of the connection options, kept for the callers that use it. */
export type RegistryConnection = SchemaRegistryOptions;

export type Compatibility =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

export interface RegisteredSchema {
  id: number;
  version: number;
  subject: string;
  schema: string;
}

/**
 * A registry answer other than 2xx, or no answer. `status` 0 = unreachable (or timed out), 404 =
 * no such schema or subject (`notFound`), 409 = incompatible schema. Unreachable, 408, 429 and 5xx
 * are `retriable` (code REGISTRY_UNAVAILABLE); the rest are not (REGISTRY_ERROR).
 */
export class SchemaRegistryError extends Error {
  readonly code: 'REGISTRY_UNAVAILABLE' | 'REGISTRY_ERROR';
  readonly retriable: boolean;

  constructor(
    message: string,
    readonly status: number,
    /** the registry's own error code, e.g. 40401 (subject not found), 409 */
    readonly errorCode: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SchemaRegistryError';
    this.retriable = status === 0 || status === 408 || status === 429 || status >= 500;
    this.code = this.retriable ? 'REGISTRY_UNAVAILABLE' : 'REGISTRY_ERROR';
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * The platform's one client of the Confluent schema-registry REST API (plain `fetch`, basic auth,
 * a timeout per request): what the Avro serde needs (schema by id, register, latest) and what
 * deployments and tests need (compatibility, compatibility checks, deleting a subject). Every
 * failure is a SchemaRegistryError.
 */
export class SchemaRegistryClient {
  private readonly base: string;
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;

  constructor(opts: SchemaRegistryOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    const user = opts.auth?.username ?? opts.username;
    const pass = opts.auth?.password ?? opts.password ?? '';
    this.authorization = user
      ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
      : undefined;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** The registry's address, without a trailing slash. */
  get url(): string {
    return this.base;
  }

  /** The schema registered under an id (what a Confluent frame names). */
  schemaById(id: number): Promise<{ schema: string; schemaType?: string }> {
    return this.request('GET', `/schemas/ids/${id}`);
  }

  /**
   * Registers an Avro schema under a subject (idempotent: the same schema keeps its id). Returns the
   * id. A schema the subject's compatibility rule refuses is a 409 naming the subject.
   */
  async register(subject: string, schema: string): Promise<number> {
    try {
      const r = await this.request<{ id: number }>('POST', `${subjectPath(subject)}/versions`, {
        schema,
        schemaType: 'AVRO',
      });
      return r.id;
    } catch (e) {
      if (!(e instanceof SchemaRegistryError) || e.status !== 409) throw e;
      throw new SchemaRegistryError(
        `schema registry refused a new version of subject ${subject}: incompatible with the versions registered under it (its compatibility rule; BACKWARD by default). ${e.message}`,
        e.status,
        e.errorCode,
        { cause: e },
      );
    }
  }

  /** The latest version registered under a subject. */
  latest(subject: string): Promise<RegisteredSchema> {
    return this.request('GET', `${subjectPath(subject)}/versions/latest`);
  }

  /** Sets a subject's compatibility level (allowed before the subject's first version). */
  async setCompatibility(subject: string, level: Compatibility): Promise<void> {
    await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
  }

  /** A subject's own compatibility level, or undefined when it has none. */
  async getCompatibility(subject: string): Promise<string | undefined> {
    try {
      const r = await this.request<{ compatibilityLevel?: string }>(
        'GET',
        `/config/${encodeURIComponent(subject)}`,
      );
      return r.compatibilityLevel;
    } catch (e) {
      if (e instanceof SchemaRegistryError && e.notFound) return undefined;
      throw e;
    }
  }

  /** Whether a schema may become the next version of a subject under its compatibility level. */
  async isCompatible(subject: string, schema: string): Promise<boolean> {
    const r = await this.request<{ is_compatible: boolean }>(
      'POST',
      `/compatibility${subjectPath(subject)}/versions/latest`,
      { schema, schemaType: 'AVRO' },
    );
    return r.is_compatible;
  }

  /** Deletes a subject (soft, then permanently); for tests and tooling. */
  async deleteSubject(subject: string): Promise<void> {
    await this.request('DELETE', subjectPath(subject));
    await this.request('DELETE', `${subjectPath(subject)}?permanent=true`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: CONTENT_TYPE };
    if (body !== undefined) headers['Content-Type'] = CONTENT_TYPE;
    if (this.authorization) headers.Authorization = this.authorization;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new SchemaRegistryError(
        `schema registry unreachable: ${method} ${path}`,
        0,
        undefined,
        { cause },
      );
    }
    try {
      // the body can break off (a connection reset, the timeout) after the status line came
      text = await res.text();
    } catch (cause) {
      throw new SchemaRegistryError(
        `schema registry unreachable: ${method} ${path} -> HTTP ${res.status}, then the body broke off: ${errorText(cause)}`,
        0,
        undefined,
        { cause },
      );
    }
    if (res.ok) {
      if (!text) return {} as T;
      try {
        return JSON.parse(text) as T;
      } catch (cause) {
        // a 2xx that is not the registry's JSON (a proxy's page, a cut body): not an answer yet
        throw new SchemaRegistryError(
          `schema registry unreachable: ${method} ${path} -> HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 300)}`,
          0,
          undefined,
          { cause },
        );
      }
    }
    let detail: { message?: string; error_code?: number } = {};
    try {
      detail = JSON.parse(text) as typeof detail;
    } catch {
      detail = { message: text.slice(0, 300) };
    }
    throw new SchemaRegistryError(
      `schema registry: ${method} ${path} -> HTTP ${res.status}: ${detail.message ?? res.statusText}`,
      res.status,
      detail.error_code,
    );
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function subjectPath(subject: string): string {
  return `/subjects/${encodeURIComponent(subject)}`;
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
  registry: SchemaRegistryOptions | SchemaRegistryClient,
  opts: { compatibility?: Compatibility; contracts?: StreamContract[] } = {},
): Promise<RegisteredContract[]> {
  const client =
    registry instanceof SchemaRegistryClient ? registry : new SchemaRegistryClient(registry);
  const out: RegisteredContract[] = [];
  for (const c of opts.contracts ?? allContracts()) {
    await client.setCompatibility(c.subject, opts.compatibility ?? 'BACKWARD');
    out.push({
      stream: c.stream,
      subject: c.subject,
      id: await client.register(c.subject, c.schemaString),
    });
  }
  return out;
}
