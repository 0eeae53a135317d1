import { DecodeError } from '../errors';
import { decodeFrame, encodeFrame, FRAME_HEADER_LENGTH, peekSchemaId } from './confluent-frame';

describe('Confluent wire framing', () => {
  it('writes magic byte 0, the schema id big-endian, then the payload', () => {
    const framed = encodeFrame(258, Buffer.from([0xaa, 0xbb]));
    expect([...framed]).toEqual([0, 0, 0, 1, 2, 0xaa, 0xbb]);
  });

  it('round-trips id and payload', () => {
    const payload = Buffer.from('hello');
    const { schemaId, payload: out } = decodeFrame(encodeFrame(2_147_483_647, payload));
    expect(schemaId).toBe(2_147_483_647);
    expect(out.equals(payload)).toBe(true);
  });

  it('accepts an empty payload (a record of an empty Avro record type)', () => {
    expect(decodeFrame(encodeFrame(7, Buffer.alloc(0))).payload.length).toBe(0);
  });

  it.each([
    ['null', null],
    ['empty', Buffer.alloc(0)],
    ['four bytes', Buffer.from([0, 0, 0, 1])],
  ])('rejects a %s buffer as BAD_FRAME', (_label, buf) => {
    expect(() => decodeFrame(buf)).toThrow(DecodeError);
    try {
      decodeFrame(buf);
    } catch (e) {
      expect((e as DecodeError).code).toBe('BAD_FRAME');
      expect((e as DecodeError).retriable).toBe(false);
    }
  });

  it('rejects a wrong magic byte', () => {
    expect(() => decodeFrame(Buffer.from([1, 0, 0, 0, 1, 9]))).toThrow(/magic byte 1/);
  });

  it('refuses to encode an invalid schema id', () => {
    expect(() => encodeFrame(-1, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => encodeFrame(1.5, Buffer.alloc(0))).toThrow(RangeError);
  });

  it('peeks the schema id without throwing', () => {
    expect(peekSchemaId(encodeFrame(42, Buffer.from([1])))).toBe(42);
    expect(peekSchemaId(Buffer.from('garbage!'))).toBeUndefined();
    expect(peekSchemaId(null)).toBeUndefined();
    expect(FRAME_HEADER_LENGTH).toBe(5);
  });
});
