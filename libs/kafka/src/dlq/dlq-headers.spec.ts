import { DecodeError, InvalidRecordError } from '../errors';
import {
  buildDlqHeaders,
  buildFileDlqHeaders,
  DLQ_HEADERS,
  dlqTopicFor,
  headersToStrings,
  MAX_ERROR_MESSAGE_LENGTH,
} from './dlq-headers';

const base = {
  topic: 'traffic.raw',
  partition: 3,
  offset: '1234',
  timestamp: '1700000000000',
  schemaId: 17,
  service: 'normalizer',
  attempt: 1,
  now: 1700000001000,
};

describe('DLQ headers', () => {
  it('names the original topic, partition, offset, timestamp, error, schema id, service and attempt', () => {
    const h = headersToStrings(
      buildDlqHeaders({ ...base, error: new InvalidRecordError('speed < 0') }, undefined),
    );
    expect(h).toEqual({
      [DLQ_HEADERS.topic]: 'traffic.raw',
      [DLQ_HEADERS.partition]: '3',
      [DLQ_HEADERS.offset]: '1234',
      [DLQ_HEADERS.timestamp]: '1700000000000',
      [DLQ_HEADERS.errorClass]: 'InvalidRecordError',
      [DLQ_HEADERS.errorCode]: 'INVALID_RECORD',
      [DLQ_HEADERS.errorMessage]: 'speed < 0',
      [DLQ_HEADERS.schemaId]: '17',
      [DLQ_HEADERS.service]: 'normalizer',
      [DLQ_HEADERS.attempt]: '1',
      [DLQ_HEADERS.failedAt]: '1700000001000',
    });
  });

  it('keeps the original headers, DLQ context winning on a clash', () => {
    const h = headersToStrings(
      buildDlqHeaders(
        { ...base, error: new DecodeError('BAD_FRAME', 'x'), schemaId: undefined },
        { traceparent: Buffer.from('00-abc'), [DLQ_HEADERS.topic]: 'spoofed' },
      ),
    );
    expect(h.traceparent).toBe('00-abc');
    expect(h[DLQ_HEADERS.topic]).toBe('traffic.raw');
    expect(h[DLQ_HEADERS.schemaId]).toBe('');
    expect(h[DLQ_HEADERS.errorCode]).toBe('BAD_FRAME');
  });

  it('truncates long error messages', () => {
    const h = headersToStrings(
      buildDlqHeaders({ ...base, error: new Error('x'.repeat(5_000)) }, undefined),
    );
    expect(h[DLQ_HEADERS.errorMessage].length).toBe(MAX_ERROR_MESSAGE_LENGTH + 1);
    expect(h[DLQ_HEADERS.errorClass]).toBe('Error');
    expect(h[DLQ_HEADERS.errorCode]).toBe('HANDLER_ERROR');
  });

  it('names the DLQ topic <topic>.dlq', () => {
    expect(dlqTopicFor('tickets.raw')).toBe('tickets.raw.dlq');
  });

  it('names the file and line of a record that came from a file, with the same error headers', () => {
    const error = new InvalidRecordError('passenger_count: expected int, got 12.5');
    const fromFile = headersToStrings(
      buildFileDlqHeaders({
        topic: 'traffic.raw',
        file: 'readings.csv',
        line: 42,
        ...{ error, schemaId: base.schemaId, service: base.service, now: base.now },
      }),
    );
    const fromTopic = headersToStrings(buildDlqHeaders({ ...base, error }, undefined));
    // the *Omitted ones are set only on a record sent without its value, or as a stub (dlq-batches.ts)
    const {
      partition: _p,
      offset: _o,
      timestamp: _t,
      valueOmitted: _v,
      keyOmitted: _k,
      headersOmitted: _h,
      ...shared
    } = DLQ_HEADERS;
    expect(Object.keys(fromFile).sort()).toEqual(Object.values(shared).sort());
    for (const name of Object.values(shared)) {
      if (name === DLQ_HEADERS.sourceFile || name === DLQ_HEADERS.sourceLine) continue;
      expect([name, fromFile[name]]).toEqual([name, fromTopic[name]]);
    }
    expect(fromFile[DLQ_HEADERS.sourceFile]).toBe('readings.csv');
    expect(fromFile[DLQ_HEADERS.sourceLine]).toBe('42');
    expect(fromFile[DLQ_HEADERS.errorMessage]).toBe('passenger_count: expected int, got 12.5');
  });
});
