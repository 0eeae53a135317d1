import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import SwaggerParser from '@apidevtools/swagger-parser';
import { documentationGaps, responseChecker, servedRoutes } from '@citypulse/rest';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIV3 } from 'openapi-types';
import type { HistoryPage, StoredAlert, StoredAlertEvent } from '../output/alert-store';
import { ALERT_STORE } from '../tokens';
import { setupAlertsApi } from './alerts-api';
import { AlertsController } from './alerts.controller';
import type { HistoryRequest } from './alerts-query';

const ALERT: StoredAlert = {
  alert_id: 'traffic.severe_congestion|Z01|1',
  rule: 'traffic.severe_congestion',
  alert_type: 'SEVERE_CONGESTION',
  severity: 'HIGH',
  subject_id: 'Z01',
  zone_id: 'Z01',
  status: 'FIRING',
  message: 'congestion',
  value: 3.5,
  threshold: 5,
  related_id: null,
  fired_at: '2026-01-05T08:00:00.000Z',
  resolved_at: null,
  acknowledged_at: null,
  acknowledged_by: null,
};
const event = (i: number): StoredAlertEvent => ({
  event_id: `${ALERT.alert_id}|${i}`,
  alert_id: ALERT.alert_id,
  status: 'FIRING',
  alert_type: 'SEVERE_CONGESTION',
  severity: 'HIGH',
  rule: ALERT.rule,
  subject_id: 'Z01',
  zone_id: 'Z01',
  message: 'congestion',
  value: null,
  threshold: null,
  related_id: null,
  event_time: new Date(Date.UTC(2026, 0, 5, 8, i)).toISOString(),
});

const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The store in memory: 5 history records, one alert; records what it was asked. */
class FakeStore {
  asked: unknown[] = [];
  open(q: unknown) {
    this.asked.push(q);
    return Promise.resolve([ALERT]);
  }
  history(q: HistoryRequest): Promise<HistoryPage | undefined> {
    this.asked.push(q);
    const all = [0, 1, 2, 3, 4].map(event);
    const start = q.after === undefined ? 0 : all.findIndex((e) => e.event_id === q.after) + 1;
    if (start === 0 && q.after !== undefined) return Promise.resolve(undefined);
    const rest = all.slice(start);
    return Promise.resolve({ events: rest.slice(0, q.limit), more: rest.length > q.limit });
  }
  get(id: string) {
    this.asked.push(id);
    return Promise.resolve(id === ALERT.alert_id ? ALERT : undefined);
  }
  acknowledge(id: string, by: string) {
    this.asked.push({ id, by });
    return Promise.resolve(
      id === ALERT.alert_id
        ? { ...ALERT, acknowledged_by: by, acknowledged_at: '2026-01-05T09:00:00.000Z' }
        : undefined,
    );
  }
}

/** The REST API through Nest's HTTP stack (ephemeral local port) over a store in memory. */
describe('the alerts REST API', () => {
  const store = new FakeStore();
  let app: INestApplication;
  let base: string;
  let doc: OpenAPIV3.Document;

  beforeAll(async () => {
    @Module({
      controllers: [AlertsController],
      providers: [{ provide: ALERT_STORE, useValue: store }],
    })
    class TestModule {}
    app = await NestFactory.create(TestModule, { logger: false });
    setupAlertsApi(app);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
    doc = (await (await fetch(`${base}/openapi.json`)).json()) as OpenAPIV3.Document;
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    store.asked = [];
  });

  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${base}${path}`, init);
    return {
      status: res.status,
      link: res.headers.get('link'),
      body: await res.json(),
    };
  };

  it('describes every route it serves in a valid OpenAPI document', async () => {
    await SwaggerParser.validate(structuredClone(doc) as never);
    const routes = servedRoutes(app);
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'get /alerts/history',
      'get /alerts/open',
      'get /alerts/{alertId}',
      'post /alerts/{alertId}/ack',
    ]);
    expect(documentationGaps(doc as never, routes)).toEqual([]);
  });

  it('answers as documented', async () => {
    const check = responseChecker(doc as never);
    const id = encodeURIComponent(ALERT.alert_id);
    expect(check('get', '/alerts/open', 200, (await call('/alerts/open?zone=z01')).body)).toEqual(
      [],
    );
    expect(check('get', '/alerts/history', 200, (await call('/alerts/history')).body)).toEqual([]);
    expect(check('get', '/alerts/{alertId}', 200, (await call(`/alerts/${id}`)).body)).toEqual([]);
    const ack = await call(`/alerts/${id}/ack`, { method: 'POST', ...json({ by: 'operator-7' }) });
    expect(ack.status).toBe(200);
    expect(check('post', '/alerts/{alertId}/ack', 200, ack.body)).toEqual([]);
    expect(store.asked).toContainEqual({ zone: 'Z01', limit: 500 });
    expect(store.asked).toContainEqual({ id: ALERT.alert_id, by: 'operator-7' });
  });

  it('pages the history with a Link header until the last page', async () => {
    const seen: string[] = [];
    let next: string | null = '/alerts/history?limit=2&from=2026-01-05&to=2026-01-06';
    let pages = 0;
    while (next && pages < 10) {
      const page = await call(next);
      expect(page.status).toBe(200);
      seen.push(...(page.body as StoredAlertEvent[]).map((e) => e.event_id));
      next = page.link?.match(/^<([^>]+)>; rel="next"$/)?.[1] ?? null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => event(i).event_id));
  });

  it.each([
    ['/alerts/open?from[$gt]=1', 'query', 'from[$gt]'],
    ['/alerts/open?zone[$ne]=Z01', 'query', 'zone[$ne]'],
    ['/alerts/open?limit=1&limit=2', 'query', 'limit'],
    ['/alerts/open?limit=5001', 'query', 'limit'],
    ['/alerts/open?status=FIRING', 'query', 'status'],
    ['/alerts/history?from[$gt]=1', 'query', 'from[$gt]'],
    ['/alerts/history?from=yesterday', 'query', 'from'],
    ['/alerts/history?from=2026-01-02&to=2026-01-01', 'query', 'to'],
    ['/alerts/history?after=nope', 'query', 'after'],
    ['/alerts/x?verbose=1', 'query', 'verbose'],
    [`/alerts/${'x'.repeat(501)}`, 'path', 'alertId'],
  ])('GET %s is a 400 naming the %s parameter %s', async (path, where, parameter) => {
    const res = await call(path);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ problems: [{ in: where, parameter }] });
  });

  it.each([
    [{ 'content-type': 'application/json' }, JSON.stringify({ by: 'a', note: 'x' }), 'note'],
    [{ 'content-type': 'application/json' }, JSON.stringify({ by: 3 }), 'by'],
    [{ 'content-type': 'application/json' }, JSON.stringify(['a']), 'body'],
    [{ 'content-type': 'text/plain' }, 'operator-7', 'body'],
  ])('POST .../ack with %j %s is a 400 naming %s', async (headers, body, parameter) => {
    const res = await call(`/alerts/${encodeURIComponent(ALERT.alert_id)}/ack`, {
      method: 'POST',
      headers,
      body,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ problems: [{ in: 'body', parameter }] });
    expect(store.asked).toEqual([]);
  });

  it('acknowledges without a body as anonymous, and 404s an unknown alert', async () => {
    expect(
      (await call(`/alerts/${encodeURIComponent(ALERT.alert_id)}/ack`, { method: 'POST' })).status,
    ).toBe(200);
    expect(store.asked).toEqual([{ id: ALERT.alert_id, by: 'anonymous' }]);
    expect((await call('/alerts/nope/ack', { method: 'POST' })).status).toBe(404);
  });
});
