import {
  chunkBySize,
  dlqStub,
  isTooLargeForBroker,
  messageBytes,
  withoutValue,
} from './dlq-batches';
import { DLQ_HEADERS } from './dlq-headers';

const msg = (valueBytes: number) => ({
  key: 'k',
  value: Buffer.alloc(valueBytes),
  headers: { h: 'vv' },
});

describe('DLQ batches', () => {
  it('sizes a message by key, value, headers and a record overhead', () => {
    expect(messageBytes(msg(100))).toBe(70 + 1 + 100 + 1 + 2);
    expect(messageBytes({ key: null, value: null })).toBe(70);
  });

  it('chunks messages below the byte budget, a big one alone', () => {
    const sizes = [100, 100, 1_000, 100, 5_000, 10];
    const chunks = chunkBySize(sizes.map(msg), 1_500);
    expect(chunks.map((c) => c.map((m) => m.value.length))).toEqual([
      [100, 100, 1_000],
      [100],
      [5_000],
      [10],
    ]);
    expect(chunkBySize([], 10)).toEqual([]);
  });

  it('drops the value and records its size in dlq.value.omitted, keeping key and headers', () => {
    const m = withoutValue({ key: 'k', value: Buffer.alloc(1234), headers: { h: 'v' } });
    expect(m).toEqual({
      key: 'k',
      value: null,
      headers: { h: 'v', [DLQ_HEADERS.valueOmitted]: '1234' },
    });
  });

  it('makes a stub of only the DLQ headers and the sizes of the key, value and headers left out', () => {
    const original = {
      key: Buffer.alloc(300_000),
      value: Buffer.alloc(1234),
      headers: { big: Buffer.alloc(900_000), 'dlq.error.code': 'forged', x: ['ab', 'c'] },
    };
    const dlqHeaders = { [DLQ_HEADERS.errorCode]: 'AVRO_DECODE', [DLQ_HEADERS.topic]: 't' };
    const stub = dlqStub(dlqHeaders, original);
    expect(stub).toEqual({
      key: null,
      value: null,
      headers: {
        [DLQ_HEADERS.errorCode]: 'AVRO_DECODE',
        [DLQ_HEADERS.topic]: 't',
        [DLQ_HEADERS.keyOmitted]: '300000',
        [DLQ_HEADERS.valueOmitted]: '1234',
        [DLQ_HEADERS.headersOmitted]: String(3 + 900_000 + 14 + 6 + 1 + 3),
      },
    });
    expect(messageBytes(stub)).toBeLessThan(300);
  });

  it("recognises the broker's too-large refusals, also wrapped", () => {
    expect(isTooLargeForBroker({ type: 'MESSAGE_TOO_LARGE' })).toBe(true);
    expect(isTooLargeForBroker({ type: 'RECORD_LIST_TOO_LARGE' })).toBe(true);
    expect(isTooLargeForBroker({ cause: { type: 'MESSAGE_TOO_LARGE' } })).toBe(true);
    expect(isTooLargeForBroker({ originalError: { type: 'MESSAGE_TOO_LARGE' } })).toBe(true);
    expect(isTooLargeForBroker({ type: 'NOT_LEADER_FOR_PARTITION' })).toBe(false);
    expect(isTooLargeForBroker(undefined)).toBe(false);
  });
});
