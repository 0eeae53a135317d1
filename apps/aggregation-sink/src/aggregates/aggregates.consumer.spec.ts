import 'reflect-metadata';
import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom, isObservable } from 'rxjs';
import {
  InvalidRecordError,
  KAFKA_HANDLER_OPTIONS,
  KafkaContext,
  TransientError,
  type BatchHandlerContext,
  type KafkaRecord,
} from '@citypulse/kafka';
import { handlerRecord } from '@citypulse/testing';
import type { AggregateSpec } from './aggregate-spec';
import { AggregateWriter, StoreRefusedError, type WriteReport } from './aggregate-writer';
import { aggregateConsumer } from './aggregates.consumer';
import { sampleTicketsUpdate, sampleTransportUpdate } from './samples';
import { AGGREGATE_SPECS, TICKETS, TRANSPORT } from './specs';
import type { AggregateWindow } from './windows';

/** A transport that only collects the handlers Nest registers with it. */
class CaptureTransport extends Server implements CustomTransportStrategy {
  handlers = new Map<string, MessageHandler>();
  listen(callback: () => void): void {
    this.handlers = new Map(this.getHandlers());
    callback();
  }
  close(): void {}
  on(): void {}
  unwrap<T>(): T {
    throw new Error('not a real transport');
  }
}

/** Records what the consumers hand to the writer; fails when told to. */
class FakeWriter {
  calls: Array<{ name: string; windows: readonly AggregateWindow<unknown>[] }> = [];
  failWith: Error | undefined;
  /** windows PostgreSQL refuses (with the whole batch they are in), like a NUL it cannot store */
  refuse = new Set<string>();
  write(spec: AggregateSpec, windows: readonly AggregateWindow<unknown>[]): Promise<WriteReport> {
    if (this.failWith) return Promise.reject(this.failWith);
    const refused = windows.find((w) => this.refuse.has(w.key));
    if (refused) return Promise.reject(new StoreRefusedError(`PostgreSQL refused ${refused.key}`));
    this.calls.push({ name: spec.name, windows });
    const result = { inserted: windows.length, updated: 0, unchanged: 0 };
    return Promise.resolve({
      kind: spec.name,
      received: windows.length,
      distinct: windows.length,
      postgres: result,
      mongodb: result,
    });
  }
}

const record = <V>(value: V, offset = 0): KafkaRecord<V> => handlerRecord(value, offset);

describe('the aggregate consumers, one per spec', () => {
  const writer = new FakeWriter();
  const transport = new CaptureTransport();
  let app: INestMicroservice;

  beforeAll(async () => {
    @Module({
      controllers: AGGREGATE_SPECS.map((spec) => aggregateConsumer(spec)),
      providers: [{ provide: AggregateWriter, useValue: writer }],
    })
    class TestModule {}
    app = await NestFactory.createMicroservice(TestModule, { strategy: transport, logger: false });
    await app.listen();
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    writer.calls = [];
    writer.failWith = undefined;
    writer.refuse = new Set();
  });

  /** Calls the handler of a topic as the Kafka transport does; returns what it rejected. */
  async function deliver(topic: string, records: KafkaRecord[]) {
    const rejected: Array<{ record: KafkaRecord; error: InvalidRecordError }> = [];
    const ctx: BatchHandlerContext = {
      topic,
      partition: 0,
      attempt: 1,
      heartbeat: () => Promise.resolve(),
      reject: (r, error) => rejected.push({ record: r, error }),
      backpressure: () => undefined,
    };
    const handler = transport.handlers.get(topic);
    if (!handler) throw new Error(`no handler for ${topic}`);
    const result: unknown = await handler(records, new KafkaContext(ctx));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    return rejected;
  }

  it('handles every aggregate topic of the contracts, in batches', () => {
    expect([...transport.handlers.keys()].sort()).toEqual(
      AGGREGATE_SPECS.map((s) => s.topic).sort(),
    );
    for (const handler of transport.handlers.values()) {
      expect(handler.extras?.[KAFKA_HANDLER_OPTIONS]).toEqual({ mode: 'batch' });
    }
  });

  it('maps a batch, sends an impossible record to the DLQ with its reason, writes the rest', async () => {
    const good = sampleTransportUpdate(1, 0, 2);
    const bad = { ...sampleTransportUpdate(2, 0, 2), crowded_vehicles: 99 };
    const rejected = await deliver(TRANSPORT.topic, [record(good, 0), record(bad, 1)]);

    expect(rejected).toHaveLength(1);
    expect(rejected[0].record.offset).toBe('1');
    expect(rejected[0].error).toBeInstanceOf(InvalidRecordError);
    expect(rejected[0].error.message).toMatch(
      /^transport_line_10m aggregate L2\|.*: crowded_vehicles is above active_vehicles$/,
    );
    expect(writer.calls).toHaveLength(1);
    expect(writer.calls[0].name).toBe('transport_line_10m');
    expect(writer.calls[0].windows.map((w) => w.key)).toEqual([`L1|${good.window_start}`]);
  });

  it('routes each topic to its own aggregate', async () => {
    const tickets = [sampleTicketsUpdate('HIGH', 0, 1), sampleTicketsUpdate('LOW', 0, 1)];
    await deliver(
      TICKETS.topic,
      tickets.map((t, i) => record(t, i)),
    );
    expect(writer.calls.map((c) => [c.name, c.windows.length])).toEqual([
      ['tickets_priority_1m', 2],
    ]);
  });

  it('lets a write failure through untouched, for the transport to retry', async () => {
    writer.failWith = new TransientError('postgres down', { code: 'SINK_UNAVAILABLE' });
    await expect(
      deliver(TRANSPORT.topic, [record(sampleTransportUpdate(1, 0, 1))]),
    ).rejects.toBeInstanceOf(TransientError);
  });

  it('writes a batch PostgreSQL refuses one window at a time: the refused window to the DLQ, the rest stored', async () => {
    const [a, b, c] = [1, 2, 3].map((line) => sampleTransportUpdate(line, 0, 2));
    const b2 = { ...b, readings: b.readings + 1, updated_at: b.updated_at + 1 };
    writer.refuse = new Set([`L2|${b.window_start}`]);
    const rejected = await deliver(TRANSPORT.topic, [
      record(a, 0),
      record(b, 1),
      record(c, 2),
      record(b2, 3),
    ]);

    // both updates of the refused window, each with the store's reason; nothing else
    expect(rejected.map((r) => r.record.offset)).toEqual(['1', '3']);
    expect(rejected[0].error).toBeInstanceOf(InvalidRecordError);
    expect(rejected[0].error.message).toBe(
      `transport_line_10m window L2|${b.window_start}: PostgreSQL refused L2|${b.window_start}`,
    );
    // the other windows were written, each alone
    expect(writer.calls.map((call) => call.windows.map((w) => w.key))).toEqual([
      [`L1|${a.window_start}`],
      [`L3|${c.window_start}`],
    ]);
  });

  it('throws a failure other than a refusal while writing one window at a time, for a retry', async () => {
    writer.refuse = new Set([`L2|${sampleTransportUpdate(2, 0, 1).window_start}`]);
    const realWrite = writer.write.bind(writer);
    let calls = 0;
    writer.write = (spec, windows) => {
      calls += 1;
      if (calls === 2) return Promise.reject(new TransientError('postgres down'));
      return realWrite(spec, windows);
    };
    await expect(
      deliver(TRANSPORT.topic, [
        record(sampleTransportUpdate(1, 0, 1), 0),
        record(sampleTransportUpdate(2, 0, 1), 1),
      ]),
    ).rejects.toBeInstanceOf(TransientError);
    writer.write = realWrite;
  });
});
