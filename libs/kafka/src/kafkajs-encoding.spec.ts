// kafkajs 2.2.4 is patched at install (patches/kafkajs@2.2.4.patch) for speed on the per-record
// paths: its produce-request encoding allocated a zero-filled 512-byte buffer, an array and a
// Buffer per varint and Long objects for every record; its partitioner hashed keys with Long
// objects; its record decoder parsed, added and printed two Longs per record; its CRC-32C went
// byte by byte. Each must give exactly what the original gave: the request digest below was taken
// from unpatched kafkajs 2.2.4, the hash is checked against Kafka's own test vectors, the CRC
// against a byte-wise reference, the decoded offsets against BigInt sums.
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
const murmur2 = load('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: string | Buffer,
) => number;
const crc32C = load('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (b: Buffer) => number;
const Record = load('kafkajs/src/protocol/recordBatch/record/v0') as (r: object) => unknown;
const { RecordBatch } = load('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (b: object) => Promise<Encoded>;
};
const LongType = load('kafkajs/src/utils/long') as { fromString: (s: string) => unknown };
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
    const source = (path: string) => (load(path) as { toString: () => string }).toString();
    expect(source('kafkajs/src/protocol/encoder')).toContain('Buffer.allocUnsafe');
    expect(source('kafkajs/src/producer/partitioners/default/murmur2')).toContain('Math.imul');
    expect(source('kafkajs/src/protocol/recordBatch/crc32C/crc32C')).toContain('1792');
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

  it("hashes keys as Kafka's Java client does (its murmur2 test vectors)", () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const vectors: Record<string, number> = {
      '21': -973932308,
      foobar: -790332482,
      'a-little-bit-long-string': -985981536,
      'a-little-bit-longer-string': -1486304829,
      lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8: -58897971,
      abc: 479470107,
    };
    for (const [key, hash] of Object.entries(vectors)) {
      expect(murmur2(key)).toBe(hash);
      expect(murmur2(Buffer.from(key))).toBe(hash);
    }
  });

  it('computes CRC-32C as a byte-at-a-time reference does', () => {
    const table = new Int32Array(256).map((_, n) => {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      return c;
    });
    const reference = (b: Buffer) => {
      let crc = -1;
      for (const byte of b) crc = table[(crc ^ byte) & 0xff] ^ (crc >>> 8);
      return (crc ^ -1) >>> 0;
    };
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283); // the CRC-32C check value
    for (let length = 0; length < 100; length++) {
      const b = Buffer.from(Array.from({ length }, (_, i) => (i * 131 + length * 7) & 0xff));
      expect(crc32C(b)).toBe(reference(b));
    }
  });

  it('decodes offsets and timestamps as decimal strings, beyond 2^53 too', async () => {
    const cases: [string, number, number[]][] = [
      ['0', 1_700_000_000_000, [0, 5, 2 ** 27 - 1, 2 ** 27, 2 ** 31 + 5, -3, -(2 ** 27)]],
      ['9007199254740990', 5, [0, 1, 2, 3, 4]],
    ];
    for (const [firstOffset, firstTimestamp, deltas] of cases) {
      const records = deltas.map((timestampDelta, offsetDelta) =>
        Record({ offsetDelta, timestampDelta, key: null, value: Buffer.from('v') }),
      );
      const batch = await RecordBatch({
        firstOffset: LongType.fromString(firstOffset),
        firstTimestamp,
        maxTimestamp: firstTimestamp,
        records,
        lastOffsetDelta: records.length - 1,
      });
      const decoded = await RecordBatchDecoder(new Decoder(batch.buffer));
      expect(
        decoded.records.map((r) => [(r as unknown as { offset: string }).offset, r.timestamp]),
      ).toEqual(
        deltas.map((d, i) => [
          String(BigInt(firstOffset) + BigInt(i)),
          String(BigInt(firstTimestamp) + BigInt(d)),
        ]),
      );
    }
  });
});
