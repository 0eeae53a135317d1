import { DecodeError } from '../errors';
import { encodeFrame } from '../wire/confluent-frame';
import { longFieldError, oversizeError, recordBytes } from './record-limits';

const limits = { maxRecordBytes: 100, maxStringChars: 10 };

describe('record limits', () => {
  it('counts key and value bytes', () => {
    expect(recordBytes({ key: Buffer.alloc(3), value: Buffer.alloc(7) })).toBe(10);
    expect(recordBytes({ key: null, value: null })).toBe(0);
  });

  it('counts header names and values too, so an oversize header is TOO_LARGE', () => {
    const headers = { ab: Buffer.alloc(40), é: ['xyz', Buffer.alloc(5)], none: undefined };
    expect(recordBytes({ key: Buffer.alloc(3), value: Buffer.alloc(7), headers })).toBe(
      10 + 2 + 40 + 2 + 3 + 5 + 4,
    );
    const e = oversizeError(
      { key: null, value: Buffer.alloc(10), headers: { h: Buffer.alloc(100) } },
      limits,
    );
    expect(e).toMatchObject({ code: 'TOO_LARGE' });
    expect(e!.message).toMatch(/^too_large: record of 111 bytes \(key \+ value \+ headers\)/);
    expect(
      oversizeError({ key: Buffer.alloc(101), value: null, headers: {} }, limits)!.message,
    ).toMatch(/record of 101 bytes \(key \+ value\) is over/);
  });

  it('refuses a record over maxRecordBytes as TOO_LARGE, naming both sizes and its schema id', () => {
    expect(oversizeError({ key: Buffer.alloc(20), value: Buffer.alloc(80) }, limits)).toBe(
      undefined,
    );
    const e = oversizeError(
      { key: Buffer.alloc(1), value: encodeFrame(42, Buffer.alloc(95)) },
      limits,
    );
    expect(e).toBeInstanceOf(DecodeError);
    expect(e).toMatchObject({ code: 'TOO_LARGE', schemaId: 42, retriable: false });
    expect(e!.message).toMatch(/^too_large: record of 101 bytes .* limit of 100 bytes/);
    expect(oversizeError({ key: null, value: Buffer.alloc(101, 0xff) }, limits)!.schemaId).toBe(
      undefined,
    );
  });

  it('refuses a decoded record with a string or bytes field over maxStringChars, naming the field', () => {
    const value = { id: 'a', nested: { list: ['ok', 'x'.repeat(11)] } };
    const e = longFieldError(value, 500, 7, limits);
    expect(e).toMatchObject({ code: 'FIELD_TOO_LONG', schemaId: 7 });
    expect(e!.message).toBe(
      "field_too_long: field nested.list[1] is 11 long, over this consumer's limit of 10",
    );
    expect(longFieldError({ b: Buffer.alloc(11) }, 500, 7, limits)!.message).toMatch(/field b /);
    expect(longFieldError({ id: 'x'.repeat(10), n: 5, z: null }, 500, 7, limits)).toBe(undefined);
  });

  it('does not walk a record whose wire size cannot hold a long field', () => {
    // 11 characters cannot come from 10 bytes of Avro: the walk is skipped
    expect(longFieldError({ id: 'x'.repeat(11) }, 10, 7, limits)).toBe(undefined);
  });

  it('stops walking at depth 32 (Avro values from the contracts are flat)', () => {
    let deep: unknown = 'x'.repeat(11);
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(longFieldError(deep, 500, 7, limits)).toBe(undefined);
  });
});
