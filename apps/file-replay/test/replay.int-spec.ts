/**
 * The file replay against the real Kafka and schema registry (make up): each sample file replayed
 * into topics of this test's own; every good row decodes back through the registry (a fresh
 * client, writer schema by id) to exactly the record the simulation made, keyed as the generator
 * keys it; every bad line is in the DLQ with its line number, file, reason and original text.
 */
import { loadConfig, type SchemaRegistryConfig } from '@citypulse/config';
import { SchemaRegistryClient, dlqTopic, subjectFor } from '@citypulse/contracts';
import { AvroSerde, DLQ_HEADERS, createKafka, headersToStrings } from '@citypulse/kafka';
import { loadCity } from '@citypulse/postgres';
import { stackEnv, uniqueName, waitFor } from '@citypulse/testing';
import type { Consumer, Kafka } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replayConfigSchema, replayOptions, withFlags } from '../src/config/replay.config';
import { replayFile } from '../src/replay/replay';
import { SAMPLES_DIR, buildSamples, type SampleFile } from '../src/samples/samples';
import { replayContract } from '../src/streams';

interface Received {
  topic: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

const quiet = { log: () => undefined, warn: () => undefined };

describe('file replay (Kafka + registry)', () => {
  const samples = buildSamples(loadCity());
  const created: string[] = [];
  const subjects: string[] = [];
  let registry: SchemaRegistryConfig | undefined;
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  afterAll(async () => {
    for (const c of consumers) await c.disconnect();
    if (kafka) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await admin.disconnect();
    }
    const client = registry && new SchemaRegistryClient(registry);
    for (const s of subjects) await client?.deleteSubject(s).catch(() => undefined);
  });

  async function replaySample(
    sample: SampleFile,
    flags: string[],
  ): Promise<{ summary: Awaited<ReturnType<typeof replayFile>>; received: Received[] }> {
    const topic = uniqueName(`it-replay-${sample.stream}`);
    const config = loadConfig(
      replayConfigSchema,
      withFlags(['--stream', sample.stream, '--file', sample.file, '--topic', topic, ...flags], {
        ...stackEnv(),
        FILE_REPLAY_METRICS_PORT: '0',
      }),
    );
    kafka ??= createKafka({ ...config.kafka, logLevel: 'nothing' });
    created.push(topic, dlqTopic(topic));
    const summary = await replayFile(
      { ...replayOptions(config.replay, SAMPLES_DIR), baseDir: SAMPLES_DIR },
      { kafka: config.kafka, registry: config.registry },
      quiet,
    );

    const received: Received[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('it-replay-reader') });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic, dlqTopic(topic)], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic: t, message }) => {
        received.push({
          topic: t,
          key: message.key?.toString() ?? null,
          value: message.value!,
          headers: headersToStrings(message.headers),
        });
        return Promise.resolve();
      },
    });
    const total = sample.records.length + sample.bad.length;
    await waitFor(() => received.length >= total, {
      timeoutMs: 60_000,
      what: `${total} records on ${topic} and its DLQ`,
    });
    // nothing more than the file's rows arrives
    await new Promise((r) => setTimeout(r, 500));
    expect(received).toHaveLength(total);

    subjects.push(subjectFor(topic));
    registry ??= config.registry;
    return { summary, received };
  }

  async function expectReplayed(sample: SampleFile, received: Received[], topic: string) {
    // a client of its own: every writer schema is fetched by the id in the frame
    const serde = new AvroSerde(new SchemaRegistryClient(registry!));
    const good = received.filter((r) => r.topic === topic);
    const decoded = await Promise.all(
      good.map(async (r) => ({ key: r.key, value: (await serde.decode(r.value)).value })),
    );
    const keyOf = replayContract(sample.stream).rows.keyOf as (v: unknown) => string;
    const byId = (a: { value: unknown }, b: { value: unknown }) =>
      String((a.value as { event_id: string }).event_id).localeCompare(
        String((b.value as { event_id: string }).event_id),
      );
    // the simulation's own records and keys, not the replay's parse of the file
    expect(decoded.sort(byId)).toEqual(
      sample.records.map((value) => ({ key: keyOf(value), value })).sort(byId),
    );

    const lines = readFileSync(join(SAMPLES_DIR, sample.file), 'utf8').split('\n');
    const dlq = received
      .filter((r) => r.topic === dlqTopic(topic))
      .sort(
        (a, b) =>
          Number(a.headers[DLQ_HEADERS.sourceLine]) - Number(b.headers[DLQ_HEADERS.sourceLine]),
      );
    expect(dlq.map((r) => Number(r.headers[DLQ_HEADERS.sourceLine]))).toEqual(
      sample.bad.map((b) => b.line),
    );
    for (const r of dlq) {
      const line = Number(r.headers[DLQ_HEADERS.sourceLine]);
      expect(r.value.toString('utf8')).toBe(lines[line - 1]);
      expect(r.headers).toMatchObject({
        [DLQ_HEADERS.topic]: topic,
        [DLQ_HEADERS.sourceFile]: sample.file,
        [DLQ_HEADERS.errorClass]: 'RowError',
        [DLQ_HEADERS.errorCode]: 'INVALID_RECORD',
        [DLQ_HEADERS.service]: 'file-replay',
      });
      expect(r.headers[DLQ_HEADERS.errorMessage].length).toBeGreaterThan(5);
      expect(Number(r.headers[DLQ_HEADERS.schemaId])).toBeGreaterThan(0);
    }
  }

  it('replays a JSON-lines file at its recorded pace: good rows through the registry, bad lines to the DLQ', async () => {
    const sample = samples.find((s) => s.file === 'transport.jsonl')!;
    // ~2 minutes of event time at x240: about half a second
    const { summary, received } = await replaySample(sample, [
      '--pace',
      'recorded',
      '--speed',
      '240',
    ]);
    expect(summary).toMatchObject({ read: 303, produced: 300, rejected: 3 });
    expect(summary.elapsedMs).toBeGreaterThan(300);
    await expectReplayed(sample, received, summary.topic);
  });

  it('replays a CSV file as fast as possible', async () => {
    const sample = samples.find((s) => s.file === 'traffic.csv')!;
    const { summary, received } = await replaySample(sample, ['--pace', 'max']);
    expect(summary).toMatchObject({ read: 303, produced: 300, rejected: 3 });
    await expectReplayed(sample, received, summary.topic);
  });
});
