import { DecodeError, buildDlqHeaders } from '@citypulse/kafka';
import { bytesView, renderRecord, toJsonLine, type RawRecord } from './render';

const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function record(over: Partial<RawRecord> = {}): RawRecord {
  return {
    topic: 'traffic.normalized',
    partition: 2,
    offset: '41',
    timestamp: String(at),
    key: Buffer.from('Z01-S01'),
    value: Buffer.from([0, 0, 0, 0, 4, 1]),
    headers: undefined,
    ...over,
  };
}

describe('renderRecord', () => {
  it('gives a decoded record its place, time, key, schema id and value, and no raw bytes', () => {
    const line = renderRecord(record(), { ok: true, schemaId: 4, value: { speed_kmh: 42.5 } });
    expect(line).toEqual({
      topic: 'traffic.normalized',
      partition: 2,
      offset: '41',
      timestamp: '2026-01-02T03:04:05.678Z',
      key: 'Z01-S01',
      schemaId: 4,
      value: { speed_kmh: 42.5 },
    });
  });

  it('marks an undecodable value with the reason and shows its bytes', () => {
    const value = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 0x02, 0xff]);
    const line = renderRecord(record({ value }), {
      ok: false,
      code: 'UNKNOWN_SCHEMA',
      message: 'schema id 2147483632 is not in the registry',
      schemaId: 2147483632,
    });
    expect(line.value).toBeUndefined();
    expect(line.schemaId).toBe(2147483632);
    expect(line.decodeError).toEqual({
      code: 'UNKNOWN_SCHEMA',
      message: 'schema id 2147483632 is not in the registry',
    });
    expect(line.raw).toEqual({ base64: value.toString('base64') });
  });

  it('shows printable bytes that are not a frame as text', () => {
    const line = renderRecord(record({ value: Buffer.from('{"speed": "fast"}\n') }), {
      ok: false,
      code: 'BAD_FRAME',
      message: 'unknown magic byte 123 (expected 0)',
    });
    expect(line.schemaId).toBeUndefined();
    expect(line.raw).toEqual({ utf8: '{"speed": "fast"}\n' });
  });

  it('prints a tombstone as a null value', () => {
    expect(renderRecord(record({ value: null }), null).value).toBeNull();
  });

  it('shows a non-printable key as base64 and a missing one as null', () => {
    expect(renderRecord(record({ key: Buffer.from([0xff, 0x00]) }), null).key).toEqual({
      base64: '/wA=',
    });
    expect(renderRecord(record({ key: null }), null).key).toBeNull();
  });

  it('puts the dlq.* headers of a DLQ record apart, keeps the original ones, and shows the raw bytes', () => {
    const headers = buildDlqHeaders(
      {
        topic: 'traffic.raw',
        partition: 1,
        offset: '1858',
        timestamp: '1796180166087',
        error: new DecodeError('BAD_FRAME', 'unknown magic byte 123 (expected 0)'),
        schemaId: undefined,
        service: 'normalizer',
        attempt: 1,
        now: 1796180166148,
      },
      { traceparent: Buffer.from('00-abc-01') },
    );
    const line = renderRecord(
      record({ topic: 'traffic.raw.dlq', value: Buffer.from('not avro'), headers }),
      { ok: false, code: 'BAD_FRAME', message: 'unknown magic byte 110 (expected 0)' },
    );
    expect(line.dlq).toEqual({
      'original.topic': 'traffic.raw',
      'original.partition': '1',
      'original.offset': '1858',
      'original.timestamp': '1796180166087',
      'error.class': 'DecodeError',
      'error.code': 'BAD_FRAME',
      'error.message': 'unknown magic byte 123 (expected 0)',
      'schema.id': '',
      service: 'normalizer',
      attempt: '1',
      'failed.at': '1796180166148',
    });
    expect(line.headers).toEqual({ traceparent: '00-abc-01' });
    expect(line.raw).toEqual({ utf8: 'not avro' });
    expect(line.decodeError?.code).toBe('BAD_FRAME');
  });

  it('shows the raw bytes of a DLQ record beside its value when the value decodes', () => {
    const value = Buffer.from([0, 0, 0, 0, 3, 2]);
    const line = renderRecord(record({ topic: 'tickets.raw.dlq', value }), {
      ok: true,
      schemaId: 3,
      value: { n: 1 },
    });
    expect(line.value).toEqual({ n: 1 });
    expect(line.raw).toEqual({ base64: value.toString('base64') });
    expect(line.dlq).toEqual({});
  });

  it('leaves dlq.* headers among the headers on a topic that is not a DLQ', () => {
    const line = renderRecord(record({ headers: { 'dlq.service': 'x' } }), null);
    expect(line.dlq).toBeUndefined();
    expect(line.headers).toEqual({ 'dlq.service': 'x' });
  });
});

describe('toJsonLine', () => {
  it('writes bytes as base64 and big longs as strings, on one line', () => {
    const line = renderRecord(record(), {
      ok: true,
      schemaId: 9,
      value: { blob: Buffer.from([1, 2, 3]), big: 2n ** 64n, text: 'a\nb' },
    });
    const text = toJsonLine(line);
    expect(text).not.toContain('\n');
    expect(JSON.parse(text).value).toEqual({
      blob: 'AQID',
      big: '18446744073709551616',
      text: 'a\nb',
    });
  });
});

describe('bytesView', () => {
  it.each([
    [Buffer.from('plain text\twith tab'), { utf8: 'plain text\twith tab' }],
    [Buffer.from('zürich ✓'), { utf8: 'zürich ✓' }],
    [Buffer.from([0x00, 0x41]), { base64: 'AEE=' }],
    [Buffer.from([0xc3, 0x28]), { base64: 'wyg=' }],
    [Buffer.from('bell\u0007'), { base64: Buffer.from('bell\u0007').toString('base64') }],
    [Buffer.alloc(0), { utf8: '' }],
  ])('%j -> %j', (buf, view) => {
    expect(bytesView(buf)).toEqual(view);
  });
});
