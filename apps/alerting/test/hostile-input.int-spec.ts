/**
 * Hostile input on the alerting service's inputs (the normalized topics), against the real stack,
 * with its record size limit set through ALERTING_MAX_RECORD_BYTES (256 KiB): random bytes, a frame
 * naming a schema id the registry never had, deeply nested garbage JSON, a reading with a 100,000-
 * character field (over the transport's string limit), one with a 1,000-character zone id (over
 * the service's id limit: no alert could be stored under it), one with a 1 MB string and a record
 * of 10 MB (over the configured limit; the input topic takes 11 MiB records). Each lands in the
 * DLQ with its reason, a critical incident sent after them still fires its alert, and a burst of
 * large records leaves no memory behind.
 */
import { contractOf, dlqTopic, type Alert, type IncidentNormalized } from '@citypulse/contracts';
import { DLQ_HEADERS, ensureTopics } from '@citypulse/kafka';
import {
  hugeString,
  memoryAfterGc,
  nestedJson,
  randomGarbage,
  unknownSchemaFrame,
  waitFor,
} from '@citypulse/testing';
import { MAX_ID_CHARS } from '../src/readings/reading-ids';
import { AlertingHarness, testRules, type Running } from './harness';

jest.setTimeout(240_000);

const MB = 1024 * 1024;
const LIMIT = 256 * 1024;

describe('alerting under hostile input (real stack)', () => {
  const h = new AlertingHarness();
  let svc: Running | undefined;
  let alerts: Alert[];
  let encode: (v: IncidentNormalized) => Buffer;
  const key = 'I-HOSTILE'; // every record on one partition, in order

  const incident = (n: number, over: Partial<IncidentNormalized> = {}): IncidentNormalized => ({
    event_id: `${h.prefix}-in-${n}`,
    event_time: Date.now() - 60_000,
    incident_id: key,
    zone_id: 'ZH',
    zone_name: 'Zone H',
    incident_type: 'FIRE',
    severity: 'CRITICAL',
    status: 'REPORTED',
    latitude: null,
    longitude: null,
    description: 'hostile-input test',
    source: 'it',
    ingested_at: Date.now(),
    ...over,
  });

  beforeAll(async () => {
    await h.setup();
    await ensureTopics(h.kafka, [
      {
        topic: h.topics.incidents,
        partitions: 3,
        configs: { 'max.message.bytes': String(11 * MB) },
      },
    ]);
    svc = await h.start({
      ALERTING_RULES_FILE: testRules(['critical_incident'], () => undefined),
      ALERTING_MAX_RECORD_BYTES: String(LIMIT),
      LOG_LEVEL: 'error', // a warning per dead letter otherwise
    });
    alerts = await h.alerts();
    const id = await h.serde.register(
      `${h.topics.incidents}-value`,
      contractOf('incidentsNormalized').schema,
    );
    encode = (v) => h.serde.encode(id, v);
  });

  afterAll(async () => {
    await svc?.close();
    await h.teardown();
  });

  /** Raw bytes onto the incidents topic, keyed like every record of this test. */
  async function sendRaw(values: Buffer[]): Promise<void> {
    const p = h.kafka.producer();
    await p.connect();
    try {
      for (const value of values)
        await p.send({ topic: h.topics.incidents, messages: [{ key, value }] });
    } finally {
      await p.disconnect();
    }
  }

  it('sends each hostile record to the DLQ with its reason and alerts on the incident after them', async () => {
    const dlq = await h.deadLetters(dlqTopic(h.topics.incidents));
    const hostile: { value: Buffer; code: string; message: string }[] = [
      { value: randomGarbage(1024), code: 'BAD_FRAME', message: 'unknown magic byte 255' },
      { value: unknownSchemaFrame(), code: 'UNKNOWN_SCHEMA', message: 'is not in the registry' },
      { value: nestedJson(20_000), code: 'BAD_FRAME', message: 'unknown magic byte 123' },
      {
        value: encode(incident(1, { description: hugeString(100_000) })),
        code: 'FIELD_TOO_LONG',
        message: "field_too_long: field description is 100000 long, over this consumer's limit",
      },
      {
        value: encode(incident(2, { zone_id: hugeString(1_000) })),
        code: 'INVALID_RECORD',
        message: `field_too_long: zone_id is 1000 characters long, more than ${MAX_ID_CHARS}`,
      },
      {
        value: encode(incident(3, { description: hugeString(1_000_000) })),
        code: 'TOO_LARGE',
        message: `over this consumer's limit of ${LIMIT} bytes; not decoded`,
      },
      {
        value: encode(incident(4, { description: hugeString(10 * MB) })),
        code: 'TOO_LARGE',
        message: `over this consumer's limit of ${LIMIT} bytes; not decoded`,
      },
    ];
    await sendRaw(hostile.map((x) => x.value));
    await sendRaw([encode(incident(5))]);

    await waitFor(() => alerts.some((a) => a.source_event_id === `${h.prefix}-in-5`), {
      timeoutMs: 60_000,
      what: 'the alert of the incident sent after the hostile records',
    });
    await waitFor(() => dlq.length >= hostile.length, {
      what: `${hostile.length} dead letters (have ${dlq.length})`,
    });
    await waitFor(() => h.inputsCommitted(), { what: 'every input record committed' });
    expect(alerts.map((a) => `${a.rule} ${a.subject_id} ${a.status}`)).toEqual([
      `incidents.critical ${key} FIRING`,
    ]);
    const byOffset = [...dlq].sort(
      (a, b) => Number(a.headers[DLQ_HEADERS.offset]) - Number(b.headers[DLQ_HEADERS.offset]),
    );
    expect(byOffset.map((d) => d.headers[DLQ_HEADERS.errorCode])).toEqual(
      hostile.map((x) => x.code),
    );
    for (const [i, x] of hostile.entries()) {
      const d = byOffset[i].headers;
      expect(d).toMatchObject({
        [DLQ_HEADERS.topic]: h.topics.incidents,
        [DLQ_HEADERS.service]: 'alerting',
      });
      expect(d[DLQ_HEADERS.errorMessage]).toContain(x.message);
      // over the limit: not decoded, not copied; its size instead
      expect(d[DLQ_HEADERS.valueOmitted]).toBe(
        x.code === 'TOO_LARGE' ? String(x.value.length) : undefined,
      );
    }
  });

  it('keeps no memory of a burst of 100 MB of records over its limits', async () => {
    const before = memoryAfterGc();
    await (async () => {
      const tenMb = encode(incident(6, { description: hugeString(10 * MB) }));
      const longField = encode(incident(7, { description: hugeString(200_000) }));
      await sendRaw([...Array<Buffer>(8).fill(tenMb), ...Array<Buffer>(100).fill(longField)]);
    })();
    await sendRaw([encode(incident(8, { status: 'RESOLVED' }))]);
    await waitFor(() => alerts.some((a) => a.source_event_id === `${h.prefix}-in-8`), {
      timeoutMs: 180_000,
      what: 'the RESOLVED alert of the incident sent after the burst',
    });
    await waitFor(() => h.inputsCommitted(), { what: 'every input record committed' });
    const after = memoryAfterGc();
    console.log(
      `heap + buffers after GC: ${(before.retainedBytes / MB).toFixed(1)} MB before the burst, ` +
        `${(after.retainedBytes / MB).toFixed(1)} MB after (RSS ${(before.rssBytes / MB).toFixed(0)} -> ${(after.rssBytes / MB).toFixed(0)} MB)`,
    );
    expect(after.retainedBytes - before.retainedBytes).toBeLessThan(16 * MB);
  });

  it('sends an alert PostgreSQL refuses (a NUL in its message) to the alerts DLQ and stores the next one', async () => {
    // a peer past the normalizer (which refuses a NUL in text): the alert is written to Kafka, but
    // PostgreSQL cannot store its message; retried, it would end the process every 5 minutes
    const dlq = await h.deadLetters(dlqTopic(h.topics.alerts));
    const nul = incident(9, { incident_id: 'I-NUL', description: 'lane\u0000blocked' });
    const after = incident(10, { incident_id: 'I-AFTER' });
    await sendRaw([encode(nul), encode(after)]);

    const pool = h.pool();
    const stored = async (subject: string) =>
      (await pool.query('SELECT 1 FROM alerts WHERE subject_id = $1', [subject])).rowCount === 1;
    await waitFor(() => stored('I-AFTER'), {
      timeoutMs: 60_000,
      what: 'the alert after the refused one in PostgreSQL',
    });
    await waitFor(() => dlq.length >= 1, { what: 'the refused alert in the alerts DLQ' });
    expect(dlq).toHaveLength(1);
    expect(dlq[0].headers).toMatchObject({
      [DLQ_HEADERS.errorCode]: 'INVALID_RECORD',
      [DLQ_HEADERS.topic]: h.topics.alerts,
    });
    expect(dlq[0].headers[DLQ_HEADERS.errorMessage]).toMatch(
      /PostgreSQL refused alert incidents\.critical\|I-NUL\|.*0x00/,
    );
    expect(await stored('I-NUL')).toBe(false);
    // the rule evaluation went on: both alerts are on the topic
    expect(alerts.filter((a) => ['I-NUL', 'I-AFTER'].includes(a.subject_id))).toHaveLength(2);
  });
});
