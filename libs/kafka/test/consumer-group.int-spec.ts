import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { Kafka } from 'kafkajs';
import { handledIds, startConsumerChild, stopChild, type Child } from './support/child';
import { createTopic, deleteTopics, events, newKafka, produceEvents } from './support/stack';

const PARTITIONS = 4;
const N = 4_000;

function lastAssignment(c: Child): number[] {
  const joins = c.events.filter((e) => e.event === 'joined');
  const last = joins[joins.length - 1]?.assignment as Record<string, number[]> | undefined;
  return Object.values(last ?? {}).flat();
}

describe('two consumers in one group', () => {
  const prefix = uniqueName('kt-group');
  const topic = `${prefix}.in`;
  const dir = mkdtempSync(join(tmpdir(), 'kt-group-'));
  const children: Child[] = [];
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = newKafka();
    await createTopic(kafka, topic, PARTITIONS);
  });

  afterAll(async () => {
    for (const c of children) await stopChild(c);
    await deleteTopics(kafka, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('share the partitions; when one leaves, the other takes them over without loss', async () => {
    const group = uniqueName('kt-group-g');
    const fileA = join(dir, 'a.txt');
    const fileB = join(dir, 'b.txt');
    const base = { TOPIC: topic, GROUP: group, CHUNK: '50', SLEEP_MS: '10' };
    const a = startConsumerChild({ ...base, HANDLED_FILE: fileA });
    children.push(a);
    await waitFor(() => lastAssignment(a).length === PARTITIONS, {
      what: 'A to own every partition',
    });
    const b = startConsumerChild({ ...base, HANDLED_FILE: fileB });
    children.push(b);
    await waitFor(
      () =>
        lastAssignment(b).length > 0 &&
        lastAssignment(a).length + lastAssignment(b).length === PARTITIONS,
      {
        what: 'the partitions to be split between A and B',
      },
    );
    const shared = [...lastAssignment(a), ...lastAssignment(b)].sort();
    expect(shared).toEqual([0, 1, 2, 3]);
    expect(lastAssignment(a).length).toBeGreaterThan(0);

    await produceEvents(kafka, topic, events(N / 2, 'g'));
    await waitFor(() => handledIds(fileA).length > 0 && handledIds(fileB).length > 0, {
      what: 'both consumers to handle records',
    });

    b.proc.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
    await waitFor(() => lastAssignment(a).length === PARTITIONS, {
      what: 'A to take over every partition',
    });
    await produceEvents(kafka, topic, events(N / 2, 'g', N / 2));

    await waitFor(() => new Set([...handledIds(fileA), ...handledIds(fileB)]).size === N, {
      timeoutMs: 120_000,
      what: `all ${N} ids handled by A or B`,
    });
    const all = [...handledIds(fileA), ...handledIds(fileB)];
    for (let i = 0; i < N; i++) expect(all).toContain(`g-${i}`);
    // B left gracefully (drained, committed): nothing it handled is handled again by A.
    expect(all.length).toBe(N);
    process.stdout.write(
      `A handled ${handledIds(fileA).length}, B handled ${handledIds(fileB).length} before leaving\n`,
    );
    await stopChild(a);
  });
});
