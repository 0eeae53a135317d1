import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '@citypulse/contracts';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  verifySignature,
} from '../src/webhooks/webhook-sender';

export interface Delivery {
  key: string;
  alert: Alert;
  signatureOk: boolean;
}

/**
 * A webhook receiver as a user would run one: checks the HMAC signature of every POST and
 * records it. It can be down (nothing listening on its port) and come up later on the same port.
 */
export class Receiver {
  readonly deliveries: Delivery[] = [];
  private server: Server | undefined;
  private port = 0;

  /** `status`: what it answers (204; a 4xx makes it a receiver that refuses everything) */
  constructor(
    private readonly secret: string,
    private readonly status = 204,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/alerts`;
  }

  async up(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        this.deliveries.push({
          key: String(req.headers[IDEMPOTENCY_HEADER]),
          alert: JSON.parse(body.toString()) as Alert,
          signatureOk: verifySignature(
            body,
            this.secret,
            req.headers[SIGNATURE_HEADER] as string | undefined,
          ),
        });
        res.statusCode = this.status;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Takes a port and stops listening on it: deliveries meet a refused connection. */
  async reserveDown(): Promise<this> {
    await this.up();
    await this.down();
    return this;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
