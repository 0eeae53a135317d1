import type { Alert } from '@citypulse/contracts';
import { InvalidRecordError, TransientError, type KafkaRecord } from '@citypulse/kafka';
import { handlerRecord } from '@citypulse/testing';
import { sampleAlert } from '../testing/fixtures';
import { writeAlerts } from './store-follower';

const alert = (id: string, message = 'm'): Alert =>
  sampleAlert({ event_id: `${id}|FIRING`, alert_id: id, message });

const record = (value: Alert, offset: number): KafkaRecord<Alert> =>
  handlerRecord(value, offset, 'alerts');

/** PostgreSQL as it answers: a NUL in text fails the whole statement with SQLSTATE 22021. */
class FakeStore {
  written: string[] = [];
  down = false;
  write(alerts: readonly Alert[]): Promise<void> {
    if (this.down)
      return Promise.reject(
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      );
    if (alerts.some((a) => a.message.includes('\u0000'))) {
      return Promise.reject(
        Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
          code: '22021',
        }),
      );
    }
    this.written.push(...alerts.map((a) => a.alert_id));
    return Promise.resolve();
  }
}

describe('writeAlerts (the store follower)', () => {
  it('writes a batch in one statement', async () => {
    const store = new FakeStore();
    const rejected: string[] = [];
    await writeAlerts(store, [record(alert('a'), 0), record(alert('b'), 1)], {
      reject: (r) => rejected.push(r.offset),
    });
    expect(store.written).toEqual(['a', 'b']);
    expect(rejected).toEqual([]);
  });

  it('sends an alert PostgreSQL refuses to the DLQ and stores the rest, instead of retrying forever', async () => {
    const store = new FakeStore();
    const rejected: Array<{ offset: string; error: InvalidRecordError }> = [];
    await writeAlerts(
      store,
      [record(alert('a'), 0), record(alert('b', 'lane\u0000blocked'), 1), record(alert('c'), 2)],
      { reject: (r, error) => rejected.push({ offset: r.offset, error }) },
    );
    expect(store.written).toEqual(['a', 'c']);
    expect(rejected.map((r) => r.offset)).toEqual(['1']);
    expect(rejected[0].error).toBeInstanceOf(InvalidRecordError);
    expect(rejected[0].error.message).toMatch(/^PostgreSQL refused alert b: invalid byte sequence/);
  });

  it('throws a retriable error when the database is away', async () => {
    const store = new FakeStore();
    store.down = true;
    await expect(
      writeAlerts(store, [record(alert('a'), 0)], { reject: () => undefined }),
    ).rejects.toBeInstanceOf(TransientError);
  });
});
