import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AggregateSpec } from '../aggregates/aggregate-spec';
import { AGGREGATE_SPECS } from '../aggregates/specs';
import { aggregateReadController } from './aggregate-read.controller';
import { ReadRepository } from './read.repository';
import type { WindowsRequest } from './windows-request';

/** Answers from memory and records what it was asked. */
class FakeReads {
  asked: Array<{ name: string; request?: WindowsRequest }> = [];
  latestRows: Record<string, Array<Record<string, unknown>>> = {};
  windows(spec: AggregateSpec, request: WindowsRequest): Promise<Array<Record<string, unknown>>> {
    this.asked.push({ name: spec.name, request });
    return Promise.resolve([{ window_start: '2026-01-05T08:00:00.000Z' }]);
  }
  latest(spec: AggregateSpec): Promise<Array<Record<string, unknown>>> {
    this.asked.push({ name: spec.name });
    return Promise.resolve(this.latestRows[spec.name] ?? []);
  }
}

/**
 * The routes made from the specs, through Nest's HTTP stack (on an ephemeral local port), over a
 * repository in memory: which routes exist, what they answer, and a 400 for a bad request.
 */
describe('the REST routes, one controller per spec', () => {
  const reads = new FakeReads();
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    @Module({
      controllers: AGGREGATE_SPECS.map((spec) => aggregateReadController(spec)),
      providers: [{ provide: ReadRepository, useValue: reads }],
    })
    class TestModule {}
    app = await NestFactory.create(TestModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    reads.asked = [];
    reads.latestRows = {};
  });

  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it.each([
    ['/traffic/zones/z01/windows?from=0&limit=5', 'traffic', { zone_id: 'Z01' }],
    ['/transport_line_10m/lines/l1/windows', 'transport_line_10m', { line_id: 'L1' }],
    [
      '/incidents_zone_15m/zones/Z03/severities/critical/windows',
      'incidents_zone_15m',
      { zone_id: 'Z03', severity: 'CRITICAL' },
    ],
    [
      '/tickets_priority_1m/priorities/URGENT/windows',
      'tickets_priority_1m',
      { priority: 'URGENT' },
    ],
    ['/mobility/windows?to=2026-01-06', 'mobility', {}],
  ])('GET %s answers the series with its windows', async (path, name, series) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...series,
      windows: [{ window_start: '2026-01-05T08:00:00.000Z' }],
    });
    expect(reads.asked).toEqual([{ name, request: expect.objectContaining({ series }) }]);
  });

  it('passes the checked range', async () => {
    await get('/traffic/zones/Z01/windows?from=0&to=1767229200000&limit=5');
    expect(reads.asked[0].request?.range).toEqual({
      from: new Date(0),
      to: new Date(1767229200000),
      limit: 5,
    });
  });

  it.each([
    '/traffic/zones/Z01/windows?from=nonsense',
    '/traffic/zones/Z01/windows?limit=0',
    '/traffic/zones/Z01/windows?zone=Z02',
    '/incidents_zone_15m/zones/Z01/severities/bad/windows',
    '/tickets_priority_1m/priorities/soon/windows',
  ])('GET %s is a 400 naming the problem, and reads nothing', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(typeof res.body.message).toBe('string');
    expect(reads.asked).toEqual([]);
  });

  it('answers the latest window of every series, as {windows}', async () => {
    reads.latestRows.incidents_zone_15m = [{ zone_id: 'Z01', severity: 'LOW' }];
    const res = await get('/incidents_zone_15m/latest');
    expect(res).toEqual({ status: 200, body: { windows: [{ zone_id: 'Z01', severity: 'LOW' }] } });
    expect((await get('/transport_line_10m/latest')).body).toEqual({ windows: [] });
  });

  it('answers the latest mobility index itself, and 404 before the first', async () => {
    expect((await get('/mobility/latest')).status).toBe(404);
    reads.latestRows.mobility = [{ mobility_index: 71 }];
    expect(await get('/mobility/latest')).toEqual({ status: 200, body: { mobility_index: 71 } });
  });
});
