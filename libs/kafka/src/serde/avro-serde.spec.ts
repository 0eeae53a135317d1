import { SchemaRegistryError } from '@citypulse/contracts';
import type * as avro from 'avsc';
import { DecodeError, classifyError } from '../errors';
import { encodeFrame } from '../wire/confluent-frame';
import { AvroSerde, valueSubject, type RegistryApi } from './avro-serde';

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
});
