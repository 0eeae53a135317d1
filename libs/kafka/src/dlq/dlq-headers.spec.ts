import { DecodeError, InvalidRecordError } from '../errors';
import {
  buildDlqHeaders,
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
});
