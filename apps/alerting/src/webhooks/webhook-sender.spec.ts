import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '@citypulse/contracts';
import { sampleAlert } from '../testing/fixtures';
import { receiverName, signBody, verifySignature, WebhookSender } from './webhook-sender';

const alert: Alert = sampleAlert();

/** A receiver answering with the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[]) {
  const got: { body: string; headers: IncomingMessage['headers'] }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ body, headers: req.headers });
      res.statusCode = statuses[Math.min(got.length - 1, statuses.length - 1)];
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const fast = { initialMs: 1, maxMs: 2, multiplier: 2, jitter: 0, maxAttempts: 4 };

describe('WebhookSender', () => {
  it('signs the exact body with HMAC-SHA256 and sends the event id as idempotency key', async () => {
    const r = await receiver([200]);
    try {
      const res = await new WebhookSender({
        url: r.url,
        secret: 's3cret',
        timeoutMs: 1000,
        backoff: fast,
      }).deliver(alert);
      expect(res).toEqual({ ok: true, attempts: 1 });
      const [{ body, headers }] = r.got;
      expect(JSON.parse(body)).toEqual(alert);
      expect(verifySignature(body, 's3cret', headers['x-citypulse-signature'] as string)).toBe(
        true,
      );
      expect(verifySignature(body, 'other', headers['x-citypulse-signature'] as string)).toBe(
        false,
      );
      expect(headers['idempotency-key']).toBe(alert.event_id);
    } finally {
      await r.close();
    }
  });

  it('retries 5xx with the same idempotency key until accepted', async () => {
    const r = await receiver([503, 500, 200]);
    try {
      const res = await new WebhookSender({
        url: r.url,
        secret: 's',
        timeoutMs: 1000,
        backoff: fast,
      }).deliver(alert);
      expect(res).toEqual({ ok: true, attempts: 3 });
      expect(new Set(r.got.map((g) => g.headers['idempotency-key']))).toEqual(
        new Set([alert.event_id]),
      );
    } finally {
      await r.close();
    }
  });

  it('gives up at once on a 4xx and after the last attempt on a dead receiver', async () => {
    const r = await receiver([400]);
    const failed: string[] = [];
    try {
      const bad = await new WebhookSender({
        url: r.url,
        secret: 's',
        timeoutMs: 1000,
        backoff: fast,
      }).deliver(alert);
      expect(bad).toEqual({ ok: false, attempts: 1, reason: 'HTTP 400' });
    } finally {
      await r.close();
    }
    const dead = await new WebhookSender({
      url: r.url, // closed: connection refused
      secret: 's',
      timeoutMs: 1000,
      backoff: fast,
      onAttemptFailed: (why) => failed.push(why),
    }).deliver(alert);
    expect(dead).toMatchObject({ ok: false, attempts: 4, reason: 'ECONNREFUSED' });
    expect(failed).toHaveLength(4);
  });

  it('names a receiver stably', () => {
    expect(receiverName('http://hooks.example:8080/a')).toMatch(/^hooks\.example-[0-9a-f]{8}$/);
    expect(receiverName('http://hooks.example:8080/a')).toBe(
      receiverName('http://hooks.example:8080/a'),
    );
    expect(signBody('x', 'k')).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});
