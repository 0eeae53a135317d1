import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import SwaggerParser from '@apidevtools/swagger-parser';
import { documentationGaps, servedRoutes } from '@citypulse/rest';
import type { OpenAPIV3 } from 'openapi-types';
import type { AggregateSpec } from '../aggregates/aggregate-spec';
import { AGGREGATE_SPECS, TRANSPORT } from '../aggregates/specs';
import { aggregateReadController } from './aggregate-read.controller';
import { viewColumns } from './read-queries';
import { setupReadApi } from './read-api.module';
import { ReadRepository } from './read.repository';
import type { WindowsRequest } from './windows-request';

/** Answers from memory and records what it was asked. */
class FakeReads {
  asked: Array<{ name: string; request?: WindowsRequest }> = [];
  latestRows: Record<string, Array<Record<string, unknown>>> = {};
  /** how many windows the range holds (one a minute from 08:00) */
  stored = 1;
  windows(
    spec: AggregateSpec,
    request: WindowsRequest,
  ): Promise<{ windows: Array<Record<string, unknown>>; more: boolean }> {
    this.asked.push({ name: spec.name, request });
    const windows = Array.from({ length: Math.min(this.stored, request.range.limit) }, (_, i) => ({
      window_start: new Date(Date.UTC(2026, 0, 5, 8, i)).toISOString(),
    }));
    return Promise.resolve({ windows, more: this.stored > request.range.limit });
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
    setupReadApi(app);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    reads.asked = [];
    reads.latestRows = {};
    reads.stored = 1;
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
      next_from: null,
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

  it('pages with next_from while the range holds more', async () => {
    reads.stored = 5;
    const first = await get('/traffic/zones/Z01/windows?limit=2');
    expect(first.body.windows).toHaveLength(2);
    expect(first.body.next_from).toBe('2026-01-05T08:01:00.001Z');
    expect((await get('/traffic/zones/Z01/windows?limit=5')).body.next_from).toBeNull();
  });

  it.each([
    ['/traffic/zones/Z01/windows?from=nonsense', 'from'],
    ['/traffic/zones/Z01/windows?from[$gt]=1', 'from[$gt]'],
    ['/traffic/zones/Z01/windows?limit=0', 'limit'],
    ['/traffic/zones/Z01/windows?limit=1&limit=2', 'limit'],
    ['/traffic/zones/Z01/windows?zone=Z02', 'zone'],
    ['/incidents_zone_15m/zones/Z01/severities/bad/windows', 'severity'],
    ['/tickets_priority_1m/priorities/soon/windows', 'priority'],
    ['/traffic/latest?from[$gt]=1', 'from[$gt]'],
    ['/mobility/latest?limit=1', 'limit'],
  ])('GET %s is a 400 naming %s, and reads nothing', async (path, parameter) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual(expect.stringContaining(parameter));
    expect(res.body.problems).toEqual([
      { in: expect.any(String), parameter, message: expect.any(String) },
    ]);
    expect(reads.asked).toEqual([]);
  });

  it('describes every route it serves in a valid OpenAPI document, windows from the specs', async () => {
    const doc = (await get('/openapi.json')).body as unknown as OpenAPIV3.Document;
    await SwaggerParser.validate(structuredClone(doc) as never);
    const routes = servedRoutes(app);
    expect(routes).toHaveLength(2 * AGGREGATE_SPECS.length);
    expect(documentationGaps(doc as never, routes)).toEqual([]);
    const schemas = doc.components?.schemas as Record<string, OpenAPIV3.SchemaObject>;
    for (const spec of AGGREGATE_SPECS) {
      const model = Object.entries(schemas).find(
        ([name]) => name.toLowerCase() === `${spec.name.replace(/_/g, '')}window`,
      )?.[1];
      expect(Object.keys(model?.properties ?? {})).toEqual(viewColumns(spec).map((c) => c.name));
    }
    expect(schemas.TransportLine10mWindow.properties?.punctuality_score).toMatchObject({
      type: 'number',
      minimum: 0,
      maximum: 100,
    });
    expect(schemas.TransportLine10mWindow.properties?.avg_delay_seconds).not.toHaveProperty(
      'minimum',
    );
    expect(viewColumns(TRANSPORT).some((c) => c.name === 'avg_delay_seconds')).toBe(true);
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
