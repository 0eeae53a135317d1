/**
 * The few calls of Prometheus' HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/)
 * the dashboards' test makes: instant and range queries, a label's values, the scrape targets.
 */

/** One series of a query's answer: its labels and how many points it has. */
export interface SeriesResult {
  labels: Record<string, string>;
  points: number;
}

/** A scrape target as /api/v1/targets reports it. */
export interface ScrapeTarget {
  job: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

/** A refused query (bad PromQL, an unknown function...): Prometheus' own words. */
export class PrometheusQueryError extends Error {
  override readonly name = 'PrometheusQueryError';
}

export class PrometheusApi {
  constructor(private readonly url: string) {}

  /** POST for the queries (long expressions), GET where the API has no POST (label values). */
  private async call<T>(
    path: string,
    params: Record<string, string>,
    method: 'GET' | 'POST' = 'POST',
  ): Promise<T> {
    const form = new URLSearchParams(params);
    const res = await fetch(
      method === 'GET' ? `${this.url}${path}?${form.toString()}` : `${this.url}${path}`,
      {
        method,
        ...(method === 'POST' && { body: form }),
        signal: AbortSignal.timeout(15_000),
      },
    );
    const text = await res.text();
    let answer: ApiAnswer<T>;
    try {
      answer = JSON.parse(text) as ApiAnswer<T>;
    } catch {
      throw new PrometheusQueryError(`HTTP ${res.status} ${method} ${path}: ${text.slice(0, 200)}`);
    }
    if (answer.status !== 'success' || answer.data === undefined)
      throw new PrometheusQueryError(`${answer.errorType ?? res.status}: ${answer.error ?? ''}`);
    return answer.data;
  }

  /** An instant query at `time` (epoch ms). */
  async query(expr: string, time: number): Promise<SeriesResult[]> {
    const d = await this.call<{ resultType: string; result: unknown }>('/api/v1/query', {
      query: expr,
      time: String(time / 1000),
    });
    if (d.resultType === 'scalar' || d.resultType === 'string') return [{ labels: {}, points: 1 }];
    return (d.result as { metric: Record<string, string> }[]).map((r) => ({
      labels: r.metric,
      points: 1,
    }));
  }

  /** A range query over [start, end] (epoch ms) every `stepS` seconds. */
  async queryRange(
    expr: string,
    start: number,
    end: number,
    stepS: number,
  ): Promise<SeriesResult[]> {
    const d = await this.call<{ result: { metric: Record<string, string>; values: unknown[] }[] }>(
      '/api/v1/query_range',
      { query: expr, start: String(start / 1000), end: String(end / 1000), step: String(stepS) },
    );
    return d.result.map((r) => ({ labels: r.metric, points: r.values.length }));
  }

  /** The values of a label among the series that match `match` in [start, end]. */
  async labelValues(label: string, match: string | undefined, start: number, end: number) {
    return this.call<string[]>(
      `/api/v1/label/${encodeURIComponent(label)}/values`,
      {
        ...(match ? { 'match[]': match } : {}),
        start: String(start / 1000),
        end: String(end / 1000),
      },
      'GET',
    );
  }

  /** The active scrape targets. */
  async targets(): Promise<ScrapeTarget[]> {
    const res = await fetch(`${this.url}/api/v1/targets?state=active`, {
      signal: AbortSignal.timeout(15_000),
    });
    const answer = (await res.json()) as ApiAnswer<{
      activeTargets: {
        labels: { job: string };
        scrapeUrl: string;
        health: ScrapeTarget['health'];
        lastError: string;
      }[];
    }>;
    return (answer.data?.activeTargets ?? []).map((t) => ({
      job: t.labels.job,
      scrapeUrl: t.scrapeUrl,
      health: t.health,
      lastError: t.lastError,
    }));
  }
}
