/**
 * The CLI as the operator runs it (a child process, `node src/main.ts ...`), against the real Kafka
 * and schema registry (make up). The test makes a topic and its DLQ of its own, registers every
 * contract's schema under subjects of its own, and produces: one record of every contract (random
 * values of the contract's Avro type), a frame naming a schema id the registry does not have, a
 * frame whose payload is not valid Avro, text, binary garbage and a tombstone, spread unevenly over
 * three partitions with increasing timestamps; on the DLQ, two records with the headers libs/kafka
 * writes. What `tail` prints is checked against what was produced (values decoded locally with the
 * contract's own type, not through the CLI's path), and `topics` against the offsets produced and
 * the offsets the test commits for a group.
 */
import { loadConfig } from '@citypulse/config';
import { allContracts, dlqTopic, type StreamContract } from '@citypulse/contracts';
import {
  AvroSerde,
  DLQ_HEADERS,
  DecodeError,
  InvalidRecordError,
  SchemaRegistryClient,
  buildDlqHeaders,
  createKafka,
  encodeFrame,
  ensureTopics,
  headersToStrings,
} from '@citypulse/kafka';
import { SWC_REGISTER, stackEnv, uniqueName, waitFor } from '@citypulse/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import { cliConfigSchema } from '../src/config';

const MAIN = join(__dirname, '..', 'src', 'main.ts');
const env = stackEnv();
const config = loadConfig(cliConfigSchema, env);

interface Cli {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** The CLI in a process of its own, with the stack's settings in its environment. */
function startCli(args: string[]): Cli {
  const proc = spawn(process.execPath, ['-r', SWC_REGISTER, MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

async function runCli(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args);
  const timer = setTimeout(() => cli.proc.kill('SIGKILL'), 60_000);
  const code = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A record the test produces, and what `tail` must print for it. */
interface Planned {
  partition: number;
  timestamp: number;
  key: string | null;
  value: Buffer | null;
  headers?: IHeaders;
  /** the printed line must contain these fields with these values */
  expect: Record<string, unknown>;
  /** filled in once produced */
  offset?: string;
}

describe('citypulse CLI: tail and topics (Kafka + registry)', () => {
  const topic = uniqueName('it-cli');
  const dlq = dlqTopic(topic);
  const group = uniqueName('it-cli-group');
  const registry = new SchemaRegistryClient(config.registry);
  const serde = new AvroSerde(registry);
  const subjects: string[] = [];
  const schemaIds = new Map<string, number>();
  let kafka: Kafka;
  let producer: Producer;
  const plan: Planned[] = [];
  const dlqPlan: Planned[] = [];
  // the partitions the records go to, in timestamp order: uneven, so the newest 5 are 3 + 2 + 0
  const partitionOrder = [0, 1, 2, 2, 0, 1, 2, 0, 1, 2, 0, 2, 1, 2, 1, 0, 1, 1, 0];
  const base = Date.now() - 3_600_000;

  function contractRecord(
    c: StreamContract,
    schemaId: number,
  ): Omit<Planned, 'partition' | 'timestamp'> {
    const bytes = c.type.toBuffer(c.type.random() as never);
    // what the record holds, read back by the contract's own type: the independent expectation
    const expected = JSON.parse(JSON.stringify(c.type.fromBuffer(bytes))) as unknown;
    return {
      key: `${c.stream}-key`,
      value: encodeFrame(schemaId, bytes),
      expect: { key: `${c.stream}-key`, schemaId, value: expected },
    };
  }

  async function send(t: string, records: Planned[]): Promise<void> {
    for (const r of records) {
      const [meta] = await producer.send({
        topic: t,
        acks: -1,
        messages: [
          {
            partition: r.partition,
            timestamp: String(r.timestamp),
            key: r.key,
            value: r.value,
            ...(r.headers && { headers: r.headers }),
          },
        ],
      });
      r.offset = meta.baseOffset!;
    }
  }

  beforeAll(async () => {
    kafka = createKafka({ ...config.kafka, clientId: 'it-cli', logLevel: 'nothing' });
    await ensureTopics(kafka, [
      { topic, partitions: 3 },
      { topic: dlq, partitions: 3 },
    ]);
    const records: Omit<Planned, 'partition' | 'timestamp'>[] = [];
    for (const c of allContracts()) {
      const subject = `${topic}-${c.stream}-value`;
      subjects.push(subject);
      schemaIds.set(c.stream, await serde.register(subject, c.schemaString));
      records.push(contractRecord(c, schemaIds.get(c.stream)!));
    }
    const trafficId = schemaIds.get('trafficRaw')!;
    const unknownId = 2_147_000_000;
    const notAvro = '{"speed": "fast", "note": "not Avro"}';
    records.push(
      {
        key: 'unknown-schema',
        value: encodeFrame(unknownId, Buffer.from([2, 4, 6])),
        expect: { schemaId: unknownId, decodeError: { code: 'UNKNOWN_SCHEMA' } },
      },
      {
        key: 'bad-avro',
        // a string field claiming 60 bytes that are not there
        value: encodeFrame(trafficId, Buffer.from([0x78, 0x41])),
        expect: { schemaId: trafficId, decodeError: { code: 'AVRO_DECODE' } },
      },
      {
        key: 'json-text',
        value: Buffer.from(notAvro),
        headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        expect: {
          decodeError: { code: 'BAD_FRAME' },
          raw: { utf8: notAvro },
          headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        },
      },
      {
        key: 'binary',
        value: Buffer.from([0xff, 0x00, 0x13, 0x37]),
        expect: { decodeError: { code: 'BAD_FRAME' }, raw: { base64: '/wATNw==' } },
      },
      { key: 'tombstone', value: null, expect: { key: 'tombstone', value: null } },
    );
    expect(records).toHaveLength(partitionOrder.length);
    records.forEach((r, i) =>
      plan.push({ ...r, partition: partitionOrder[i], timestamp: base + i * 1_000 }),
    );

    const badLine = Buffer.from('garbage{');
    dlqPlan.push(
      {
        partition: 1,
        timestamp: base + 100_000,
        key: 'Z01-S01',
        value: badLine,
        headers: buildDlqHeaders(
          {
            topic,
            partition: 2,
            offset: '7',
            timestamp: String(base),
            error: new DecodeError('BAD_FRAME', 'unknown magic byte 103 (expected 0)'),
            schemaId: undefined,
            service: 'it-cli',
            attempt: 1,
          },
          { traceparent: Buffer.from('00-trace-01') },
        ),
        expect: { decodeError: { code: 'BAD_FRAME' }, raw: { utf8: 'garbage{' } },
      },
      {
        partition: 0,
        timestamp: base + 101_000,
        key: plan[0].key,
        value: plan[0].value,
        headers: buildDlqHeaders(
          {
            topic,
            partition: 0,
            offset: '0',
            timestamp: String(base),
            error: new InvalidRecordError('speed_out_of_range: speed 1448.4 km/h is above 250'),
            schemaId: plan[0].expect.schemaId as number,
            service: 'it-cli',
            attempt: 1,
          },
          undefined,
        ),
        expect: {
          schemaId: plan[0].expect.schemaId,
          value: plan[0].expect.value,
          raw: { base64: plan[0].value!.toString('base64') },
        },
      },
    );

    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await send(topic, plan);
    await send(dlq, dlqPlan);
  });

  afterAll(async () => {
    await producer?.disconnect();
    if (kafka) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([group]).catch(() => undefined);
      await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => undefined);
      await admin.disconnect();
    }
    for (const s of subjects) await registry.deleteSubject(s).catch(() => undefined);
  });

  function expectLine(line: Record<string, unknown>, r: Planned, t: string): void {
    expect(line).toMatchObject({
      topic: t,
      partition: r.partition,
      offset: r.offset,
      timestamp: new Date(r.timestamp).toISOString(),
      key: r.key,
      ...r.expect,
    });
  }

  it('tail decodes a record of every contract, marks what cannot be decoded, oldest first', async () => {
    const { code, stdout, stderr } = await runCli(['tail', topic, '-n', '100']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = jsonLines(stdout);
    expect(lines).toHaveLength(plan.length);
    lines.forEach((line, i) => expectLine(line, plan[i], topic));
    // every contract's record decoded to exactly its value
    const decoded = lines.filter((l) => l.decodeError === undefined && l.value !== null);
    expect(decoded).toHaveLength(allContracts().length);
    // the undecodable ones carry their reason and bytes, never a value
    for (const l of lines.filter((x) => x.decodeError !== undefined)) {
      expect(l.value).toBeUndefined();
      expect(l.raw).toBeDefined();
      expect((l.decodeError as { message: string }).message).not.toBe('');
    }
  });

  it('tail -n 5 prints the newest 5 by timestamp over all partitions', async () => {
    const { code, stdout } = await runCli(['tail', topic, '-n', '5']);
    expect(code).toBe(0);
    const lines = jsonLines(stdout);
    const newest = plan.slice(-5);
    expect(new Set(newest.map((r) => r.partition)).size).toBe(2); // uneven on purpose
    expect(lines.map((l) => [l.partition, l.offset])).toEqual(
      newest.map((r) => [r.partition, r.offset]),
    );
    lines.forEach((line, i) => expectLine(line, newest[i], topic));
  });

  it('tail of a DLQ shows the dlq.* headers, the original headers and the raw payload', async () => {
    const { code, stdout } = await runCli(['tail', dlq]);
    expect(code).toBe(0);
    const lines = jsonLines(stdout);
    expect(lines).toHaveLength(2);
    lines.forEach((line, i) => expectLine(line, dlqPlan[i], dlq));
    const [bad, decodable] = lines as [Record<string, unknown>, Record<string, unknown>];
    const sent = headersToStrings(dlqPlan[0].headers);
    expect(bad.dlq).toEqual({
      'original.topic': topic,
      'original.partition': '2',
      'original.offset': '7',
      'original.timestamp': String(base),
      'error.class': 'DecodeError',
      'error.code': 'BAD_FRAME',
      'error.message': 'unknown magic byte 103 (expected 0)',
      'schema.id': '',
      service: 'it-cli',
      attempt: '1',
      'failed.at': sent[DLQ_HEADERS.failedAt],
    });
    expect(bad.headers).toEqual({ traceparent: '00-trace-01' });
    expect(decodable.dlq).toMatchObject({
      'error.code': 'INVALID_RECORD',
      'error.message': 'speed_out_of_range: speed 1448.4 km/h is above 250',
      'schema.id': String(plan[0].expect.schemaId),
    });
    expect(decodable.headers).toBeUndefined();
  });

  it('tail of an unknown topic exits 66 listing the topics there', async () => {
    const missing = uniqueName('it-cli-missing');
    const { code, stdout, stderr } = await runCli(['tail', missing]);
    expect(code).toBe(66);
    expect(stdout).toBe('');
    expect(stderr).toContain(`unknown topic '${missing}' on ${config.kafka.brokers.join(',')}`);
    expect(stderr.split('\n')).toEqual(expect.arrayContaining([`  ${topic}`, `  ${dlq}`]));
    expect(stderr).not.toContain('__consumer_offsets');
  });

  it('tail --follow prints new records as they come until Ctrl-C', async () => {
    const cli = startCli(['tail', topic, '-n', '2', '--follow']);
    try {
      await waitFor(() => jsonLines(cli.stdout()).length >= 2, { what: 'the newest 2 records' });
      const alerts = allContracts().find((c) => c.stream === 'alerts')!;
      const fresh: Planned = {
        ...contractRecord(alerts, schemaIds.get('alerts')!),
        partition: 2,
        timestamp: Date.now(),
      };
      await send(topic, [fresh]);
      plan.push(fresh);
      await waitFor(() => jsonLines(cli.stdout()).length >= 3, { what: 'the new record' });
      cli.proc.kill('SIGINT');
      expect(await cli.exited).toBe(0);
      const lines = jsonLines(cli.stdout());
      expect(lines).toHaveLength(3);
      expectLine(lines[0], plan.at(-3)!, topic);
      expectLine(lines[1], plan.at(-2)!, topic);
      expectLine(lines[2], fresh, topic);
    } finally {
      cli.proc.kill('SIGKILL');
    }
  });

  it('topics reports the end offsets and the lag of a group that committed offsets', async () => {
    const ends = [0, 1, 2].map((p) => plan.filter((r) => r.partition === p).length);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({
        groupId: group,
        topic,
        partitions: [
          { partition: 0, offset: '2' },
          { partition: 1, offset: String(ends[1]) },
        ],
      });
    } finally {
      await admin.disconnect();
    }

    const json = await runCli(['topics', topic, `${topic}.*`, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      brokers: string[];
      topics: Array<Record<string, unknown> & { groups: Array<Record<string, unknown>> }>;
    };
    expect(report.brokers).toEqual(config.kafka.brokers);
    expect(report.topics.map((t) => t.topic)).toEqual([topic, dlq]);
    const [main, dead] = report.topics as [(typeof report.topics)[0], (typeof report.topics)[0]];
    expect(main).toMatchObject({
      partitions: ends.map((end, partition) => ({ partition, start: 0, end })),
      end: plan.length,
      records: plan.length,
    });
    expect(dead).toMatchObject({ end: 2, records: 2, groups: [] });
    // only the group the test committed for: the tails above read with groups that never commit
    expect(main.groups).toEqual([
      {
        group,
        state: 'Empty',
        members: 0,
        lag: ends[0] - 2,
        committedPartitions: 2,
        partitions: [
          { partition: 0, committed: 2, end: ends[0], lag: ends[0] - 2 },
          { partition: 1, committed: ends[1], end: ends[1], lag: 0 },
          { partition: 2, committed: null, end: ends[2], lag: null },
        ],
      },
    ]);

    const text = await runCli(['topics', topic]);
    expect(text.code).toBe(0);
    const rows = text.stdout.split('\n');
    expect(rows).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${topic}\\s+3\\s+${plan.length}\\s+${plan.length}\\s+0:${ends[0]} 1:${ends[1]} 2:${ends[2]}$`,
        ),
      ),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${topic}\\s+${group}\\s+Empty\\s+0\\s+2/3\\s+${ends[0] - 2}\\s+0:${ends[0] - 2} 1:0 2:-$`,
        ),
      ),
    );
  });
});
