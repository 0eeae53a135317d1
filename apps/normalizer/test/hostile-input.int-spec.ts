/**
 * Hostile input to every normalizer worker (traffic, transport, incidents, tickets) against the
 * real stack: random bytes, a frame naming a schema id the registry never had, deeply nested
 * garbage JSON, an otherwise valid record with a 1 MB string field and a valid record of 10 MB
 * (on an input topic that takes 11 MiB records; the broker's default refuses it at the producer,
 * libs/kafka's size-limits test shows that) land in the DLQ with their reason, the worker goes on
 * with the good records after them, and a burst of large records leaves no memory behind.
 */
import { ensureTopics, DLQ_HEADERS } from '@citypulse/kafka';
import { contractOf, dlqTopic, type StreamName, type ValueOf } from '@citypulse/contracts';
import {
  hugeString,
  memoryAfterGc,
  nestedJson,
  randomGarbage,
  unknownSchemaFrame,
  waitFor,
} from '@citypulse/testing';
import { WORKER_NAMES, type WorkerName } from '../src/config/normalizer.config';
import { goodRaw, RAW_STREAM } from './raw-records';
import { WorkerHarness } from './worker-harness';

jest.setTimeout(240_000);

const MB = 1024 * 1024;

/** Starts a worker whose input topic (one partition: records stay in order) takes 11 MiB records. */
async function startWorker(worker: WorkerName): Promise<WorkerHarness> {
  const h = new WorkerHarness(worker);
  await ensureTopics(h.kafka, [
    { topic: h.input, partitions: 1, configs: { 'max.message.bytes': String(11 * MB) } },
  ]);
  await h.start();
  return h;
}

/** Encodes with the raw contract's schema id under the input's subject. */
async function encoder(h: WorkerHarness, raw: StreamName): Promise<(value: object) => Buffer> {
  const id = await h.serde.register(`${h.input}-value`, contractOf(raw).schema);
  return (value) => h.serde.encode(id, value);
}

describe.each(WORKER_NAMES)('%s worker under hostile input', (worker) => {
  const raw = RAW_STREAM[worker];
  const make = (id: string) => goodRaw(worker, id, 'hostile-test') as ValueOf<typeof raw>;
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await startWorker(worker);
  });
  afterAll(() => h.stop());

  it('sends each hostile record to the DLQ with its reason and normalizes the good ones after it', async () => {
    const normalized = await h.normalized<{ event_id: string }>();
    const dlq = await h.deadLetters();
    const ids = Array.from({ length: 6 }, (_, i) => `${worker}-hostile-good-${i}`);
    await h.send(raw, ids.slice(0, 3).map(make));
    const encode = await encoder(h, raw);
    const hostile: { key: string; value: Buffer; code: string; message?: RegExp }[] = [
      { key: 'random', value: randomGarbage(1024), code: 'BAD_FRAME' },
      { key: 'unknown-id', value: unknownSchemaFrame(), code: 'UNKNOWN_SCHEMA' },
      { key: 'nested-json', value: nestedJson(100_000), code: 'BAD_FRAME' },
      {
        key: 'one-mb-string',
        value: encode({ ...make(`${worker}-long`), source: hugeString(1_000_000) }),
        code: 'FIELD_TOO_LONG',
        message: /^field_too_long: field source is 1000000 long/,
      },
      {
        key: 'nul-in-text',
        value: encode({ ...make(`${worker}-nul`), source: 'cam\u0000era' }),
        code: 'INVALID_RECORD',
        message: /^text_with_nul: source contains a NUL character/,
      },
      {
        key: 'ten-mb',
        value: encode({ ...make(`${worker}-huge`), source: hugeString(10 * MB) }),
        code: 'TOO_LARGE',
      },
    ];
    for (const x of hostile) await h.sendRaw([x.value], x.key);
    await h.send(raw, ids.slice(3).map(make));

    await h.settle(normalized, dlq, { normalized: ids.length, dlq: hostile.length });
    expect(normalized.map((n) => n.value.event_id).sort()).toEqual(ids);
    for (const x of hostile) {
      const d = dlq.find((m) => m.key === x.key);
      expect({ key: x.key, code: d?.headers[DLQ_HEADERS.errorCode] }).toEqual({
        key: x.key,
        code: x.code,
      });
      expect(d!.headers).toMatchObject({
        [DLQ_HEADERS.topic]: h.input,
        [DLQ_HEADERS.service]: 'normalizer',
      });
      if (x.message) expect(d!.headers[DLQ_HEADERS.errorMessage]).toMatch(x.message);
      if (x.code === 'TOO_LARGE') {
        // never decoded, and not copied into the DLQ (whose topic takes 1 MB): its size instead
        expect(d!.headers[DLQ_HEADERS.errorMessage]).toBe(
          `too_large: record of ${x.key.length + x.value.length} bytes (key + value) is over this consumer's limit of 1048576 bytes; not decoded`,
        );
        expect(d!.value).toBeNull();
        expect(d!.headers[DLQ_HEADERS.valueOmitted]).toBe(String(x.value.length));
      } else {
        expect(d!.value.equals(x.value)).toBe(true);
      }
    }
  });
});

describe('traffic worker under a burst of large records', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await startWorker('traffic');
  });
  afterAll(() => h.stop());

  it('keeps no memory of 100 MB of records over its limits', async () => {
    const make = (id: string) => goodRaw('traffic', id, 'hostile-test');
    const normalized = await h.normalized<{ event_id: string }>();
    await h.send('trafficRaw', [make('warm-up')]);
    const encode = await encoder(h, 'trafficRaw');
    await waitFor(() => normalized.length === 1, { what: 'the warm-up reading normalized' });
    const before = memoryAfterGc();

    // 6 x 10 MB (too large) and 40 x 1 MB strings (field too long): 100 MB in, nothing kept (the
    // records are made in a function of their own, so this test holds none of them afterwards)
    await (async () => {
      const tenMb = encode({ ...make('huge'), source: hugeString(10 * MB) });
      const oneMb = encode({ ...make('long'), source: hugeString(1_000_000) });
      for (let i = 0; i < 6; i++) await h.sendRaw([tenMb], `ten-mb-${i}`);
      for (let i = 0; i < 40; i++) await h.sendRaw([oneMb], `one-mb-${i}`);
    })();
    await h.send('trafficRaw', [make('after-the-burst')]);
    await waitFor(() => normalized.length === 2, {
      timeoutMs: 180_000,
      what: 'the reading after the burst normalized',
    });
    const admin = h.kafka.admin();
    await admin.connect();
    const inDlq = (await admin.fetchTopicOffsets(dlqTopic(h.input))).reduce(
      (n, p) => n + Number(p.high) - Number(p.low),
      0,
    );
    await admin.disconnect();
    expect(inDlq).toBe(46);
    expect(normalized.map((n) => n.value.event_id)).toEqual(['warm-up', 'after-the-burst']);

    const after = memoryAfterGc();
    const grew = after.retainedBytes - before.retainedBytes;
    console.log(
      `heap + buffers after GC: ${(before.retainedBytes / MB).toFixed(1)} MB before the burst, ` +
        `${(after.retainedBytes / MB).toFixed(1)} MB after (RSS ${(before.rssBytes / MB).toFixed(0)} -> ${(after.rssBytes / MB).toFixed(0)} MB)`,
    );
    expect(grew).toBeLessThan(16 * MB);
  });
});
