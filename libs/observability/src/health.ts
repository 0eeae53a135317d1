/** The outcome of one readiness check. */
export interface CheckResult {
  ok: boolean;
  /** Why not ready, or anything useful to show (never a secret). */
  detail?: string;
}

/** A readiness check: true/false, or a result with a detail; may be async; a throw means not ready. */
export type ReadinessCheck = () => boolean | CheckResult | Promise<boolean | CheckResult>;

export interface HealthReport {
  status: 'ok' | 'unavailable';
  service: string;
  uptimeSeconds: number;
  checks: Record<string, CheckResult>;
}

/**
 * Readiness of a process: named checks (the Kafka connection, a database pool...) evaluated on
 * demand. Liveness needs no checks: a process that answers at all has a running event loop.
 */
export class Health {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly startedAt = Date.now();

  constructor(
    readonly service: string,
    private readonly timeoutMs = 2_000,
  ) {}

  /** Adds (or replaces) a named readiness check. */
  addCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** A check whose state the owner sets, e.g. kafka.set(true) on connect, kafka.set(false, 'crashed'). */
  flag(
    name: string,
    initial: CheckResult = { ok: false, detail: 'starting' },
  ): {
    set(ok: boolean, detail?: string): void;
  } {
    let state: CheckResult = initial;
    this.addCheck(name, () => state);
    return {
      set: (ok, detail) => {
        state = detail === undefined ? { ok } : { ok, detail };
      },
    };
  }

  removeCheck(name: string): void {
    this.checks.delete(name);
  }

  /** Runs every check (each bounded by the timeout); ready only when all pass. */
  async readiness(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await this.run(check)] as const),
    );
    const checks = Object.fromEntries(entries);
    return {
      status: entries.every(([, r]) => r.ok) ? 'ok' : 'unavailable',
      service: this.service,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      checks,
    };
  }

  private async run(check: ReadinessCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, detail: `timed out after ${this.timeoutMs} ms` }),
        this.timeoutMs,
      );
    });
    try {
      const result = Promise.resolve()
        .then(check)
        .then((r): CheckResult => (typeof r === 'boolean' ? { ok: r } : r));
      return await Promise.race([result, timeout]);
    } catch (e) {
      return { ok: false, detail: e instanceof Error ? e.message : String(e) };
    } finally {
      clearTimeout(timer);
    }
  }
}
