import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Health } from './health';
import type { Metrics } from './metrics';

export interface ObservabilityServerOptions {
  metrics: Metrics;
  /** Readiness checks; one is created for the metrics' service when omitted. */
  health?: Health;
  /** Port to listen on; 0 picks a free one (see `port` after start). */
  port: number;
  /** Interface to bind; default 127.0.0.1 (libs/config's BIND_HOST: 0.0.0.0 in a container). */
  host?: string;
}

/**
 * A plain node:http server on a port of its own (not the app's), so metrics and probes keep
 * answering whatever the app's HTTP stack does:
 *   GET /metrics       Prometheus exposition of the service's registry
 *   GET /health/live   200 {"status":"ok"} while the event loop runs
 *   GET /health/ready  200 or 503 with every readiness check in a JSON body
 *   GET /health        same as /health/ready
 */
export class ObservabilityServer {
  readonly metrics: Metrics;
  readonly health: Health;
  private readonly server: Server;
  private boundPort: number | undefined;

  constructor(private readonly opts: ObservabilityServerOptions) {
    this.metrics = opts.metrics;
    this.health = opts.health ?? new Health(opts.metrics.service);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent)
          send(res, 500, 'text/plain', `error: ${e instanceof Error ? e.message : String(e)}\n`);
        else res.end();
      });
    });
    // Scrapes are short; do not let idle keep-alive sockets delay shutdown.
    this.server.keepAliveTimeout = 5_000;
  }

  /** The port listened on (after start). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('observability server not started');
    return this.boundPort;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.close((e) => (e ? reject(e) : resolve()));
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain', 'method not allowed\n');
    }
    switch (path) {
      case '/metrics':
        return send(res, 200, this.metrics.contentType, await this.metrics.text());
      case '/health/live':
      case '/livez':
        return sendJson(res, 200, { status: 'ok', service: this.health.service });
      case '/health':
      case '/health/ready':
      case '/readyz': {
        const report = await this.health.readiness();
        return sendJson(res, report.status === 'ok' ? 200 : 503, report);
      }
      default:
        return send(
          res,
          404,
          'text/plain',
          'not found: try /metrics, /health/live, /health/ready\n',
        );
    }
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

/** Creates and starts the server: `const obs = await startObservabilityServer({ metrics, port })`. */
export async function startObservabilityServer(
  opts: ObservabilityServerOptions,
): Promise<ObservabilityServer> {
  return new ObservabilityServer(opts).start();
}
