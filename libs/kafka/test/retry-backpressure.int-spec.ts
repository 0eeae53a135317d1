import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { INestMicroservice } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { BackpressureSignal, TransientError } from '../src/errors';
import { NOOP_METRICS } from '../src/metrics';
import { handledIds, startConsumerChild, stopChild, type Child } from './support/child';
import { startNestConsumer } from './support/nest-app';
import {
  connection,
  createTopic,
  deleteTopics,
  events,
  newKafka,
  produceEvents,
  registryOptions,
  type TestEvent,
} from './support/stack';

describe('transient errors, backpressure and crashes', () => {
  const prefix = uniqueName('kt-retry');
  const dir = mkdtempSync(join(tmpdir(), 'kt-retry-'));
  const children: Child[] = [];
  const apps: INestMicroservice[] = [];
  let kafka: Kafka;

  beforeAll(() => {
    kafka = newKafka();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const c of children) await stopChild(c);
    await deleteTopics(kafka, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries a transient failure with backoff and then handles the record once', async () => {
    const topic = `${prefix}.transient`;
    await createTopic(kafka, topic, 1);
    await produceEvents(kafka, topic, events(50, 'r'));
    const handled: string[] = [];
    const attempts: number[] = [];
    const retries: string[] = [];
    const fatal: unknown[] = [];
    let failuresLeft = 2;
    apps.push(
      await startNestConsumer<TestEvent>(
        topic,
        {},
        {
          kafka: connection,
          registry: registryOptions,
          groupId: uniqueName('kt-transient'),
          backoff: { initialMs: 100, maxMs: 400, maxAttempts: 5 },
          metrics: { ...NOOP_METRICS, retry: (_t, reason) => void retries.push(reason) },
          onFatal: (e) => void fatal.push(e),
        },
        (record, ctx) => {
          if (record.value.id === 'r-10' && failuresLeft > 0) {
            failuresLeft--;
            attempts.push(ctx.attempt);
            throw new TransientError('sink timed out', { code: 'SINK_TIMEOUT' });
          }
          if (record.value.id === 'r-10') attempts.push(ctx.attempt);
          handled.push(record.value.id);
        },
      ),
    );
    await waitFor(() => handled.length === 50, { what: '50 records handled' });
    expect(fatal).toEqual([]);
    expect(attempts).toEqual([1, 2, 3]);
    expect(retries).toEqual(['SINK_TIMEOUT', 'SINK_TIMEOUT']);
    expect(handled.filter((id) => id === 'r-10')).toHaveLength(1);
    expect(handled).toEqual(events(50, 'r').map((e) => e.id)); // order kept within the partition
  });

  it('pauses the partition on backpressure and resumes it later, losing nothing', async () => {
    const topic = `${prefix}.backpressure`;
    await createTopic(kafka, topic, 1);
    await produceEvents(kafka, topic, events(200, 'b'));
    const handledAt = new Map<string, number>();
    let signalledAt = 0;
    apps.push(
      await startNestConsumer<TestEvent>(
        topic,
        {},
        { kafka: connection, registry: registryOptions, groupId: uniqueName('kt-bp') },
        (record) => {
          if (record.value.id === 'b-100' && !signalledAt) {
            signalledAt = Date.now();
            throw new BackpressureSignal(1_000);
          }
          if (!handledAt.has(record.value.id)) handledAt.set(record.value.id, Date.now());
        },
      ),
    );
    await waitFor(() => handledAt.size === 200, { what: '200 records handled' });
    expect(signalledAt).toBeGreaterThan(0);
    // b-100 and everything after it waited for the pause; everything before did not.
    expect(handledAt.get('b-100')! - signalledAt).toBeGreaterThanOrEqual(900);
    expect(handledAt.get('b-99')!).toBeLessThanOrEqual(signalledAt);
  });

  it('exits non-zero when retries run out; a restart handles everything', async () => {
    const topic = `${prefix}.fatal`;
    await createTopic(kafka, topic, 1);
    await produceEvents(kafka, topic, events(300, 'f'));
    const file = join(dir, 'fatal.txt');
    const env = { TOPIC: topic, GROUP: uniqueName('kt-fatal'), HANDLED_FILE: file, CHUNK: '100' };
    const failing = startConsumerChild({ ...env, FAIL: '1' });
    children.push(failing);
    const { code } = await failing.exited;
    expect(code).toBe(1);
    expect(failing.stderr()).toMatch(/gave up after 3 attempts/);
    expect(handledIds(file)).toEqual([]);

    const healthy = startConsumerChild(env);
    children.push(healthy);
    await waitFor(() => new Set(handledIds(file)).size === 300, {
      what: '300 ids handled after restart',
    });
  });
});
