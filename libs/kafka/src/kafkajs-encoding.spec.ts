// kafkajs 2.2.4 is patched at install (patches/kafkajs@2.2.4.patch): its produce-request encoding
// allocated a zero-filled 512-byte buffer, an array and a Buffer per varint and Long objects for
// every record. The patched encoder must write exactly the bytes the original wrote: the digest
// below was taken from unpatched kafkajs 2.2.4 for the same request, and the request is decoded
// back with kafkajs' own decoder.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const load = createRequire(__filename);
type Encoded = { buffer: Buffer };
const ProduceV3 = load('kafkajs/src/protocol/requests/produce/v3/request') as (args: {
  acks: number;
  timeout: number;
  producerId: unknown;
  producerEpoch: number;
  topicData: unknown[];
}) => { encode: () => Promise<Encoded> };
const Long = load('kafkajs/src/utils/long') as { fromNumber: (n: number) => unknown };
const Encoder = load('kafkajs/src/protocol/encoder') as new () => Encoded & {
  writeVarLong: (v: unknown) => Encoded;
  writeVarInt: (v: number) => Encoded;
};
const Decoder = load('kafkajs/src/protocol/decoder') as new (b: Buffer) => {
  readVarLong: () => { toString: () => string };
  readVarInt: () => number;
};
const RecordBatchDecoder = load('kafkajs/src/protocol/recordBatch/v0/decoder') as (
  d: unknown,
) => Promise<{
  records: { key: Buffer | null; value: Buffer | null; timestamp: string; headers: object }[];
}>;

interface Msg {
  key: string | Buffer | null;
  value: string | Buffer | null;
  timestamp?: string;
  headers?: Record<string, string | Buffer | string[]>;
}

/** Deterministic messages: string, Buffer and null keys and values, headers, timestamps. */
function messages(n: number, seed: number): Msg[] {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: Msg[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 7;
    const m: Msg = {
      key: kind === 0 ? null : kind === 1 ? Buffer.from(`k${i}`) : `key-${i % 13}-é`,
      value:
        kind === 2
          ? null
          : kind === 3
            ? `v${'x'.repeat(Math.floor(rnd() * 300))}`
            : Buffer.alloc(Math.floor(rnd() * 2000), i % 251),
      timestamp:
        kind === 4
          ? undefined
          : String(1_700_000_000_000 + Math.floor(rnd() * 5_000_000) - (i % 3) * 100_000),
    };
    if (kind === 5) m.headers = { a: 'x', b: Buffer.from([1, 2, 3]), c: ['1', '22'] };
    if (kind === 6) m.headers = {};
    out.push(m);
  }
  return out;
}

async function encodeRequest(topicData: unknown[]): Promise<Buffer> {
  const now = jest.spyOn(Date, 'now').mockReturnValue(1_700_000_123_456);
  try {
    const request = ProduceV3({
      acks: -1,
      timeout: 30_000,
      producerId: Long.fromNumber(4242),
      producerEpoch: 3,
      topicData,
    });
    return (await request.encode()).buffer;
  } finally {
    now.mockRestore();
  }
}

describe("kafkajs' produce encoding (patched)", () => {
  // partition 2 holds a record ~100 days older than the rest: timestamp deltas beyond int32
  const topicData = [
    {
      topic: 'golden.a',
      partitions: [
        { partition: 0, firstSequence: 0, messages: messages(300, 1) },
        {
          partition: 2,
          firstSequence: 77,
          messages: [
            ...messages(5, 9),
            { key: 'old', value: Buffer.from('o'), timestamp: '1600000000000' },
          ],
        },
      ],
    },
    {
      topic: 'golden.b',
      partitions: [{ partition: 1, firstSequence: 2147483000, messages: messages(1, 3) }],
    },
  ];

  it('is the patched version', () => {
    const src = (load('kafkajs/src/protocol/encoder') as { toString: () => string }).toString();
    expect(src).toContain('Buffer.allocUnsafe');
  });

  it('writes the bytes unpatched kafkajs 2.2.4 wrote for the same request', async () => {
    const bytes = await encodeRequest(topicData);
    expect(bytes.length).toBe(241_655);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      'b33a2abef079acba078713b9fad3c30bf03843876ebdb6ad86b980a40d49e2a2',
    );
  });

  it("reads back with kafkajs' decoder: keys, values, timestamps, headers", async () => {
    const msgs = messages(50, 5);
    const bytes = await encodeRequest([
      { topic: 't', partitions: [{ partition: 0, firstSequence: 0, messages: msgs }] },
    ]);
    // request: transactional_id (int16 -1), acks, timeout, [topic], topic name, [partition],
    // partition, record_set size, then the record batch
    const batchStart = 2 + 2 + 4 + 4 + (2 + 1) + 4 + 4 + 4;
    const { records } = await RecordBatchDecoder(new Decoder(bytes.subarray(batchStart)));
    expect(records).toHaveLength(50);
    records.forEach((r, i) => {
      const m = msgs[i];
      expect(r.key === null ? null : r.key.toString()).toEqual(
        m.key === null ? null : String(m.key),
      );
      expect(r.value === null ? null : r.value.toString()).toEqual(
        m.value === null ? null : m.value.toString(),
      );
      expect(r.timestamp).toBe(m.timestamp ?? '1700000123456');
      expect(Object.keys(r.headers)).toEqual(Object.keys(m.headers ?? {}));
    });
  });

  it('encodes varlongs of small numbers and of Longs alike', () => {
    for (const v of [
      0,
      1,
      -1,
      63,
      -64,
      64,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 40,
    ]) {
      const bytes = new Encoder().writeVarLong(v).buffer;
      expect(new Decoder(bytes).readVarLong().toString()).toBe(String(v));
    }
    for (const v of [0, 300, -300, 2 ** 31 - 1, -(2 ** 31)]) {
      expect(new Decoder(new Encoder().writeVarInt(v).buffer).readVarInt()).toBe(v);
    }
  });
});
