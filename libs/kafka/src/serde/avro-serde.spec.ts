import { SchemaRegistryError } from '@citypulse/contracts';
import * as avro from 'avsc';
import { DecodeError, classifyError } from '../errors';
import { encodeFrame } from '../wire/confluent-frame';
import { AvroSerde, UNKNOWN_SCHEMA_TTL_MS, valueSubject, type RegistryApi } from './avro-serde';

const v1: avro.schema.RecordType = {
  type: 'record',
  name: 'Reading',
  namespace: 'test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'speed', type: 'double' },
  ],
};
const v2: avro.schema.RecordType = {
  ...v1,
  fields: [...v1.fields, { name: 'lane', type: ['null', 'int'], default: null }],
};

/** An in-memory stand-in for the registry's REST API (this spec tests caching, not HTTP). */
class FakeRegistry implements RegistryApi {
  readonly schemas = new Map<number, string>();
  readonly subjects = new Map<string, number[]>();
  calls = { byId: 0, register: 0, latest: 0 };
  down = false;

  schemaById(id: number) {
    this.calls.byId++;
    if (this.down) return Promise.reject(new SchemaRegistryError('down', 0, undefined));
    const schema = this.schemas.get(id);
    return schema
      ? Promise.resolve({ schema })
      : Promise.reject(new SchemaRegistryError(`no ${id}`, 404, 40403));
  }
  register(subject: string, schema: string) {
    this.calls.register++;
    let id = [...this.schemas].find(([, s]) => s === schema)?.[0];
    if (id === undefined) {
      id = this.schemas.size + 1;
      this.schemas.set(id, schema);
    }
    this.subjects.set(subject, [...(this.subjects.get(subject) ?? []), id]);
    return Promise.resolve(id);
  }
  latest(subject: string) {
    this.calls.latest++;
    const id = this.subjects.get(subject)?.at(-1);
    if (id === undefined) return Promise.reject(new SchemaRegistryError(subject, 404, 40401));
    return Promise.resolve({ id, version: 1, subject, schema: this.schemas.get(id)! });
  }
}

describe('AvroSerde', () => {
  it('registers once per subject and schema, then encodes and decodes', async () => {
    const reg = new FakeRegistry();
    const serde = new AvroSerde(reg);
    const id = await serde.register(valueSubject('t'), v1);
    expect(await serde.register(valueSubject('t'), v1)).toBe(id);
    expect(reg.calls.register).toBe(1);
    const buf = serde.encode(id, { id: 'a', speed: 12.5 });
    expect(buf[0]).toBe(0);
    expect(buf.readInt32BE(1)).toBe(id);
    expect(serde.decodeSync(buf)).toEqual({ schemaId: id, value: { id: 'a', speed: 12.5 } });
  });

  it('fetches a writer schema by id once, even for concurrent decodes', async () => {
    const reg = new FakeRegistry();
    const id = await reg.register('t-value', JSON.stringify(v1));
    const writer = new AvroSerde(new FakeRegistry()).parse(v1);
    const buf = encodeFrame(id, writer.toBuffer({ id: 'x', speed: 1 }));
    const serde = new AvroSerde(reg);
    expect(serde.decodeSync(buf)).toBeUndefined();
    const all = await Promise.all([serde.decode(buf), serde.decode(buf), serde.decode(buf)]);
    expect(all.map((d) => d.value)).toEqual(Array(3).fill({ id: 'x', speed: 1 }));
    expect(reg.calls.byId).toBe(1);
    expect(serde.decodeSync(buf)?.value).toEqual({ id: 'x', speed: 1 });
    expect(reg.calls.byId).toBe(1);
  });

  it('resolves an old writer against a newer reader schema', async () => {
    const reg = new FakeRegistry();
    const serde = new AvroSerde(reg);
    const id1 = await serde.register('t-value', v1);
    const reader = serde.parse(v2);
    const decoded = serde.decodeSync(serde.encode(id1, { id: 'a', speed: 3 }), reader);
    expect(decoded?.value).toEqual({ id: 'a', speed: 3, lane: null });
  });

  it('reads with a reader of the same canonical schema, and refuses trailing or missing bytes', async () => {
    const serde = new AvroSerde(new FakeRegistry());
    const id = await serde.register('t-value', v1);
    const reader = serde.parse({ ...v1, doc: 'the same schema, parsed apart' });
    const frame = serde.encode(id, { id: 'a', speed: 3 });
    expect(serde.decodeSync(frame, reader)?.value).toEqual({ id: 'a', speed: 3 });
    const trailing = Buffer.concat([frame, Buffer.from([0])]);
    expect(() => serde.decodeSync(trailing, reader)).toThrow(/trailing data/);
    expect(() => serde.decodeSync(frame.subarray(0, frame.length - 1))).toThrow(/truncated buffer/);
  });

  it('reports an unknown schema id as DecodeError UNKNOWN_SCHEMA', async () => {
    const serde = new AvroSerde(new FakeRegistry());
    await expect(serde.decode(encodeFrame(999, Buffer.from([2, 97])))).rejects.toMatchObject({
      code: 'UNKNOWN_SCHEMA',
      schemaId: 999,
    });
  });

  it('passes a registry outage through as a retriable error', async () => {
    const reg = new FakeRegistry();
    reg.down = true;
    const err = await new AvroSerde(reg)
      .decode(encodeFrame(1, Buffer.alloc(1)))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRegistryError);
    expect((err as SchemaRegistryError).retriable).toBe(true);
    expect(classifyError(err)).toBe('retry');
  });

  it('reports bytes that do not fit the schema as AVRO_DECODE, and garbage as BAD_FRAME', async () => {
    const serde = new AvroSerde(new FakeRegistry());
    const id = await serde.register('t-value', v1);
    expect(() => serde.decodeSync(encodeFrame(id, Buffer.from([0xff, 0xff, 0xff])))).toThrow(
      DecodeError,
    );
    try {
      serde.decodeSync(encodeFrame(id, Buffer.from([0xff, 0xff, 0xff])));
    } catch (e) {
      expect((e as DecodeError).code).toBe('AVRO_DECODE');
    }
    expect(() => serde.decodeSync(Buffer.from('{"json":true}'))).toThrow(/magic byte/);
  });

  it('refuses to encode a value that does not match, or with an unloaded schema', async () => {
    const serde = new AvroSerde(new FakeRegistry());
    const id = await serde.register('t-value', v1);
    expect(() => serde.encode(id, { id: 1 })).toThrow(/does not match/);
    expect(() => serde.encode(77, {})).toThrow(/not loaded/);
  });

  it('encodes many values into frames equal to encode()s, across chunks and for large records', async () => {
    const serde = new AvroSerde(new FakeRegistry());
    const id = await serde.register('t-value', v1);
    const values = [
      ...Array.from({ length: 5_000 }, (_, i) => ({ id: `s-${i}`, speed: i / 3 })),
      { id: 'x'.repeat(700_000), speed: 1 }, // larger than any chunk
      { id: 'é€😀', speed: -0.5 },
    ];
    const frames = serde.encodeAll(id, values, (v) => v);
    expect(frames).toHaveLength(values.length);
    frames.forEach((f, i) => {
      expect(f.equals(serde.encode(id, values[i]))).toBe(true);
      expect(serde.decodeSync(f)?.value).toEqual(values[i]);
    });
    expect(serde.encodeAll(id, [], (v) => v)).toEqual([]);
  });

  it('refuses to encode many values when one does not match, or with an unloaded schema', async () => {
    const serde = new AvroSerde(new FakeRegistry());
    const id = await serde.register('t-value', v1);
    expect(() => serde.encodeAll(id, [{ id: 'a', speed: 1 }, { id: 1 }], (v) => v)).toThrow(
      /does not match/,
    );
    expect(() => serde.encodeAll(77, [{}], (v) => v)).toThrow(/not loaded/);
  });

  it('looks up the latest id of a subject once', async () => {
    const reg = new FakeRegistry();
    await reg.register('s-value', JSON.stringify(v1));
    const serde = new AvroSerde(reg);
    const a = await serde.latestId('s-value');
    const b = await serde.latestId('s-value');
    expect(a).toBe(b);
    expect(reg.calls.latest).toBe(1);
    expect(serde.cachedType(a)).toBeDefined();
  });

  describe('records that would keep the decoder looping', () => {
    const long = avro.Type.forSchema('long');
    /** v1's fields, then `extra` written as one block of `count` items and nothing in them. */
    const withBlock = (schemaId: number, count: number, tail: Buffer = Buffer.from([0])) =>
      encodeFrame(
        schemaId,
        Buffer.concat([
          new AvroSerde(new FakeRegistry()).parse(v1).toBuffer({ id: 'a', speed: 1 }),
          long.toBuffer(count),
          tail,
        ]),
      );
    const writerWith = (extra: avro.Schema): avro.schema.RecordType => ({
      ...v1,
      fields: [...v1.fields, { name: 'extra', type: extra }],
    });

    it.each<[string, avro.Schema]>([
      ['null items', { type: 'array', items: 'null' }],
      [
        'records without fields',
        { type: 'array', items: { type: 'record', name: 'E', fields: [] } },
      ],
      ['a fixed of size 0', { type: 'array', items: { type: 'fixed', name: 'F', size: 0 } }],
      [
        'records of null fields',
        {
          type: 'array',
          items: { type: 'record', name: 'N', fields: [{ name: 'n', type: 'null' }] },
        },
      ],
      ['nested, in a map', { type: 'map', values: { type: 'array', items: 'null' } }],
    ])(
      'refuses a writer schema with an array of %s as UNKNOWN_SCHEMA, asking the registry once',
      async (_, extra) => {
        const reg = new FakeRegistry();
        const id = await reg.register('t-value', JSON.stringify(writerWith(extra)));
        const serde = new AvroSerde(reg);
        const reader = serde.parse(v1);
        // avsc would skip `extra` by looping a million times over nothing (2^52 times: days)
        const frame = withBlock(id, 1_000_000);
        for (let i = 0; i < 3; i++) {
          const err = await serde.decode(frame, reader).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(DecodeError);
          expect(err).toMatchObject({ code: 'UNKNOWN_SCHEMA', schemaId: id });
          expect((err as Error).message).toMatch(/\.extra.*zero bytes/);
          expect(classifyError(err)).toBe('dlq');
          expect(() => serde.decodeSync(frame, reader)).toThrow(/zero bytes/);
        }
        expect(reg.calls.byId).toBe(1);
      },
    );

    it('refuses to decode with such a schema registered by this process, which still encodes', async () => {
      const serde = new AvroSerde(new FakeRegistry());
      const id = await serde.register('t-value', writerWith({ type: 'array', items: 'null' }));
      const frame = serde.encode(id, { id: 'a', speed: 1, extra: [null, null] });
      expect(() => serde.decodeSync(frame)).toThrow(/UNKNOWN_SCHEMA|zero bytes/);
    });

    it('accepts arrays and maps of items that take a byte at least', async () => {
      const reg = new FakeRegistry();
      const schema = writerWith({
        type: 'record',
        name: 'X',
        fields: [
          { name: 'a', type: { type: 'array', items: ['null', 'int'] } },
          { name: 'm', type: { type: 'map', values: 'null' } },
          {
            name: 'e',
            type: { type: 'array', items: { type: 'enum', name: 'One', symbols: ['A'] } },
          },
        ],
      });
      const id = await reg.register('t-value', JSON.stringify(schema));
      const serde = new AvroSerde(reg);
      const value = { id: 'a', speed: 1, extra: { a: [null, 3], m: { k: null }, e: ['A'] } };
      const frame = encodeFrame(id, serde.parse(schema).toBuffer(value));
      expect((await serde.decode(frame)).value).toEqual(value);
      expect((await serde.decode(frame, serde.parse(v1))).value).toEqual({ id: 'a', speed: 1 });
    });

    it.each<[string, avro.Schema]>([
      ['an array', { type: 'array', items: 'int' }],
      ['a map', { type: 'map', values: 'int' }],
    ])(
      'stops at the end of the bytes when a block of %s announces more items than there are',
      async (_, extra) => {
        const reg = new FakeRegistry();
        const id = await reg.register('t-value', JSON.stringify(writerWith(extra)));
        const serde = new AvroSerde(reg);
        const frame = withBlock(id, 1e9); // avsc alone: ~15 s skipping, ~60 s (or out of memory) reading
        for (const reader of [serde.parse(v1), undefined]) {
          const started = Date.now();
          const err = await serde.decode(frame, reader).catch((e: unknown) => e);
          expect(Date.now() - started).toBeLessThan(1_000);
          expect(err).toMatchObject({ code: 'AVRO_DECODE' });
        }
      },
    );

    it('bounds the blocks a reader made elsewhere than parse() reads', async () => {
      const reg = new FakeRegistry();
      const extra: avro.Schema = { type: 'array', items: 'int' };
      const id = await reg.register('t-value', JSON.stringify(writerWith(extra)));
      const serde = new AvroSerde(reg);
      const foreign = avro.Type.forSchema(writerWith(extra), { registry: {} });
      const ok = encodeFrame(id, foreign.toBuffer({ id: 'a', speed: 1, extra: [1, 2] }));
      expect((await serde.decode(ok, foreign)).value).toEqual({ id: 'a', speed: 1, extra: [1, 2] });
      const started = Date.now();
      await expect(serde.decode(withBlock(id, 1e9), foreign)).rejects.toMatchObject({
        code: 'AVRO_DECODE',
      });
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('refuses a skipped block whose byte size is negative (it would move back for ever)', async () => {
      const reg = new FakeRegistry();
      for (const extra of [
        { type: 'array', items: 'int' },
        { type: 'map', values: 'int' },
      ] as avro.Schema[]) {
        const id = await reg.register('t-value', JSON.stringify(writerWith(extra)));
        const serde = new AvroSerde(reg);
        // count -1, then size -2: back to the count
        const frame = withBlock(id, -1, long.toBuffer(-2));
        await expect(serde.decode(frame, serde.parse(v1))).rejects.toMatchObject({
          code: 'AVRO_DECODE',
        });
      }
    });

    it('still reads and skips blocks written with a negative count and their byte size', async () => {
      const reg = new FakeRegistry();
      const id = await reg.register(
        't-value',
        JSON.stringify(writerWith({ type: 'array', items: 'int' })),
      );
      const serde = new AvroSerde(reg);
      // two blocks: [-2 items, 2 bytes: 1, 2], [1 item: 3], end
      const tail = Buffer.concat([long.toBuffer(2), long.toBuffer(1), long.toBuffer(2)]);
      const blocks = Buffer.concat([tail, long.toBuffer(1), long.toBuffer(3), Buffer.from([0])]);
      const frame = withBlock(id, -2, blocks);
      expect((await serde.decode(frame)).value).toEqual({ id: 'a', speed: 1, extra: [1, 2, 3] });
      expect((await serde.decode(frame, serde.parse(v1))).value).toEqual({ id: 'a', speed: 1 });
    });
  });

  it('remembers an unknown schema id for UNKNOWN_SCHEMA_TTL_MS, then asks again', async () => {
    const reg = new FakeRegistry();
    let now = 1_000_000;
    const serde = new AvroSerde(reg, {}, () => now);
    const frame = encodeFrame(999, Buffer.from([2, 97]));
    for (let i = 0; i < 3; i++) {
      await expect(serde.decode(frame)).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA' });
    }
    expect(() => serde.decodeSync(frame)).toThrow(/not in the registry/);
    expect(reg.calls.byId).toBe(1);
    now += UNKNOWN_SCHEMA_TTL_MS;
    expect(serde.decodeSync(frame)).toBeUndefined();
    await expect(serde.decode(frame)).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA' });
    expect(reg.calls.byId).toBe(2);
  });

  it('does not remember a registry outage', async () => {
    const reg = new FakeRegistry();
    reg.down = true;
    const serde = new AvroSerde(reg);
    const frame = encodeFrame(1, Buffer.alloc(1));
    await expect(serde.decode(frame)).rejects.toBeInstanceOf(SchemaRegistryError);
    await expect(serde.decode(frame)).rejects.toBeInstanceOf(SchemaRegistryError);
    expect(reg.calls.byId).toBe(2);
  });
});
