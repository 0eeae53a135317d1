import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
import { handledIds, startConsumerChild, stopChild, type Child } from './support/child';
import { createTopic, deleteTopics, events, newKafka, produceEvents } from './support/stack';

const N = 6_000;

describe('crash and restart', () => {
  const prefix = uniqueName('kt-crash');
  const topic = `${prefix}.in`;
  const dir = mkdtempSync(join(tmpdir(), 'kt-crash-'));
  const children: Child[] = [];
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = newKafka();
    await createTopic(kafka, topic, 3);
    await produceEvents(kafka, topic, events(N, 'c'));
  });

  afterAll(async () => {
    for (const c of children) await stopChild(c);
    await deleteTopics(kafka, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 mid-batch, then restart: every record is handled at least once, none lost', async () => {
    const file = join(dir, 'handled.txt');
    const env = {
      TOPIC: topic,
      GROUP: uniqueName('kt-crash-group'),
      HANDLED_FILE: file,
      CHUNK: '100',
      SLEEP_MS: '30',
    };
    const first = startConsumerChild(env);
    children.push(first);
    // Poll often so the kill lands inside the first partition's batch (handled, not yet committed).
    await waitFor(() => handledIds(file).length >= 600, {
      timeoutMs: 60_000,
      intervalMs: 5,
      what: 'the first consumer to handle 600',
    });
    first.proc.kill('SIGKILL');
    const { signal } = await first.exited;
    expect(signal).toBe('SIGKILL');
    const beforeKill = handledIds(file).length;
    expect(beforeKill).toBeLessThan(N); // it really died mid-way

    const second = startConsumerChild(env);
    children.push(second);
    await waitFor(() => new Set(handledIds(file)).size === N, {
      timeoutMs: 120_000,
      what: `all ${N} ids handled`,
    });
    const ids = handledIds(file);
    const distinct = new Set(ids);
    for (let i = 0; i < N; i++) expect(distinct.has(`c-${i}`)).toBe(true);
    // At-least-once: what the killed consumer handled but had not committed is handled again.
    process.stdout.write(
      `kill -9 after ${beforeKill} handled; ${ids.length - N} handled twice after restart\n`,
    );
    await stopChild(second);
  });
});
