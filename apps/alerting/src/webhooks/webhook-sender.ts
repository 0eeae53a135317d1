import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Alert } from '@citypulse/contracts';
import { backoffDelay, type BackoffOptions } from '@citypulse/kafka';

export const SIGNATURE_HEADER = 'x-citypulse-signature';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** `sha256=<hex HMAC-SHA256 of the body under the shared secret>`. */
export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What a receiver does to check a delivery (constant-time comparison). */
export function verifySignature(
  body: string | Buffer,
  secret: string,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A receiver's stable short name (metrics label, consumer group): host and a hash of the URL. */
export function receiverName(url: string): string {
  const u = new URL(url);
  return `${u.hostname}-${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
}

export type DeliveryResult =
  { ok: true; attempts: number } | { ok: false; attempts: number; reason: string };

export interface WebhookSenderOptions {
  url: string;
  secret: string;
  timeoutMs: number;
  backoff: BackoffOptions;
  /** called after every failed attempt */
  onAttemptFailed?: (reason: string) => void;
  /** waits between attempts (the consumer heartbeats meanwhile); false = give up now */
  wait?: (ms: number) => Promise<boolean>;
}

/**
 * POSTs an alert as JSON to one receiver, signed (HMAC-SHA256 over the exact body) with an
 * idempotency key that is the alert record's event_id — the same key on every retry and every
 * redelivery after a restart, so a receiver can drop what it has seen. Retries network errors,
 * timeouts, 408, 429 and 5xx with capped exponential backoff; other 4xx are final.
 */
export class WebhookSender {
  constructor(private readonly opts: WebhookSenderOptions) {}

  static body(alert: Alert): string {
    return JSON.stringify(alert);
  }

  async deliver(
    alert: Alert,
    maxAttempts = this.opts.backoff.maxAttempts,
  ): Promise<DeliveryResult> {
    const body = WebhookSender.body(alert);
    const headers = {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signBody(body, this.opts.secret),
      [IDEMPOTENCY_HEADER]: alert.event_id,
      'x-citypulse-alert-id': alert.alert_id,
    };
    let reason = '';
    for (let attempt = 1; ; attempt++) {
      let retriable = true;
      try {
        const res = await fetch(this.opts.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return { ok: true, attempts: attempt };
        reason = `HTTP ${res.status}`;
        retriable = res.status >= 500 || res.status === 408 || res.status === 429;
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        reason = err.cause?.code ?? err.name ?? 'error';
      }
      this.opts.onAttemptFailed?.(reason);
      if (!retriable || attempt >= maxAttempts) return { ok: false, attempts: attempt, reason };
      const ms = backoffDelay(attempt, this.opts.backoff);
      const go = this.opts.wait
        ? await this.opts.wait(ms)
        : await new Promise<boolean>((r) => setTimeout(() => r(true), ms));
      if (!go) return { ok: false, attempts: attempt, reason: `${reason} (stopped)` };
    }
  }
}
