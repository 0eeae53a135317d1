import { KafkaLibError, TransientError } from '../errors';

/** How to reach a Confluent-compatible schema registry (the shape of libs/config's registry fragment). */
export interface SchemaRegistryOptions {
  url: string;
  /** Basic auth (libs/config's shape), or username/password below. */
  auth?: { username: string; password: string } | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /** Per request. */
  timeoutMs?: number;
}

export interface RegisteredSchema {
  id: number;
  version: number;
  subject: string;
  schema: string;
}

/** The registry said "no such schema/subject" (HTTP 404, error codes 40401/40402/40403). */
export class SchemaNotFoundError extends KafkaLibError {
  constructor(message: string) {
    super('REGISTRY_ERROR', message, { retriable: false });
  }
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * A minimal client for the Confluent schema-registry REST API: the four calls a serde needs. Network
 * failures and 5xx answers are TransientError (retried by callers); 4xx answers are not.
 */
export class SchemaRegistryClient {
  private readonly base: string;
  private readonly auth: string | undefined;
  private readonly timeoutMs: number;

  constructor(opts: SchemaRegistryOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    const user = opts.auth?.username ?? opts.username;
    const pass = opts.auth?.password ?? opts.password ?? '';
    this.auth = user ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` : undefined;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async schemaById(id: number): Promise<{ schema: string; schemaType?: string }> {
    return this.request<{ schema: string; schemaType?: string }>('GET', `/schemas/ids/${id}`);
  }

  async register(subject: string, schema: string): Promise<number> {
    const res = await this.request<{ id: number }>(
      'POST',
      `/subjects/${encodeURIComponent(subject)}/versions`,
      {
        schema,
        schemaType: 'AVRO',
      },
    );
    return res.id;
  }

  async latest(subject: string): Promise<RegisteredSchema> {
    return this.request<RegisteredSchema>(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/latest`,
    );
  }

  async setCompatibility(
    subject: string,
    compatibility: 'BACKWARD' | 'FORWARD' | 'FULL' | 'NONE',
  ): Promise<void> {
    await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility });
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: CONTENT_TYPE };
    if (body !== undefined) headers['Content-Type'] = CONTENT_TYPE;
    if (this.auth) headers.Authorization = this.auth;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new TransientError(`schema registry unreachable: ${method} ${path}`, {
        code: 'REGISTRY_UNAVAILABLE',
        cause,
      });
    }
    const text = await res.text();
    if (res.ok) return (text ? JSON.parse(text) : {}) as T;
    const detail = `${method} ${path} -> HTTP ${res.status}: ${text.slice(0, 300)}`;
    if (res.status === 404) throw new SchemaNotFoundError(`schema registry: ${detail}`);
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      throw new TransientError(`schema registry: ${detail}`, { code: 'REGISTRY_UNAVAILABLE' });
    }
    throw new KafkaLibError('REGISTRY_ERROR', `schema registry: ${detail}`);
  }
}
