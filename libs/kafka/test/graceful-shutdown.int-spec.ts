import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
import { handledIds, startConsumerChild, stopChild, type Child } from './support/child';
import { createTopic, deleteTopics, events, newKafka, produceEvents } from './support/stack';

const N = 6_000;

describe('SIGTERM', () => {
  const prefix = uniqueName('kt-term');
  const topic = `${prefix}.in`;
  const dir = mkdtempSync(join(tmpdir(), 'kt-term-'));
  const children: Child[] = [];
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = newKafka();
    await createTopic(kafka, topic, 3);
    await produceEvents(kafka, topic, events(N, 't'));
  });

  afterAll(async () => {
    for (const c of children) await stopChild(c);
    await deleteTopics(kafka, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('drains and commits the batch in flight, exits 0; after restart no record is handled twice', async () => {
    const file = join(dir, 'handled.txt');
    const env = {
      TOPIC: topic,
      GROUP: uniqueName('kt-term-group'),
      HANDLED_FILE: file,
      CHUNK: '100',
      SLEEP_MS: '15',
    };
    const first = startConsumerChild(env);
    children.push(first);
    await waitFor(() => handledIds(file).length >= N / 4, {
      timeoutMs: 60_000,
      what: 'the first consumer to handle a quarter',
    });
    first.proc.kill('SIGTERM');
    const { code } = await first.exited;
    expect(code).toBe(0);
    const atExit = handledIds(file).length;
    expect(atExit).toBeLessThan(N);

    const second = startConsumerChild(env);
    children.push(second);
    await waitFor(() => new Set(handledIds(file)).size === N, {
      timeoutMs: 120_000,
      what: `all ${N} ids handled`,
    });
    // Give a duplicate the chance to show up: the restarted consumer reaches the end of every partition.
    await waitFor(() => second.events.filter((e) => e.event === 'handled').length > 0);
    const ids = handledIds(file);
    expect(ids.length).toBe(N);
    expect(new Set(ids).size).toBe(N);
    process.stdout.write(
      `SIGTERM after ${atExit} handled (exit 0); restart handled the remaining ${N - atExit}, none twice\n`,
    );
    await stopChild(second);
  });
});
