import SwaggerParser from '@apidevtools/swagger-parser';
import type { IncidentNormalized } from '@citypulse/contracts';
import { documentationGaps, responseChecker, servedRoutes } from '@citypulse/rest';
import { waitFor } from '@citypulse/testing';
import type { OpenAPIV3 } from 'openapi-types';
import { incident } from '../src/testing/fixtures';
import { AlertingHarness, testRules, type Running } from './harness';

jest.setTimeout(180_000);

const S = 1000;
type Json = Record<string, unknown>;

/**
 * The alerting REST API as deployed (real Kafka, registry, PostgreSQL): its OpenAPI document
 * against what the HTTP server really serves, checked with swagger-parser; the strict query rules
 * on every route; and real alerts — critical incidents fire at once — read back page by page,
 * every answer checked against the document.
 */
describe('alerting REST API (real stack)', () => {
  const h = new AlertingHarness();
  let svc: Running | undefined;
  let api: string;
  let doc: OpenAPIV3.Document;
  const t0 = Date.now() - 3600 * S;
  const INCIDENTS = 5;

  const report = (i: number, status: IncidentNormalized['status']): IncidentNormalized =>
    incident({
      event_id: `${h.prefix}-in-${i}-${status}`,
      t: t0 + i * 60 * S + (status === 'RESOLVED' ? 30 * S : 0),
      incident_id: `I-${i}`,
      zone_id: 'ZQ',
      severity: 'CRITICAL',
      status,
    }).value;

  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${api}${path}`, init);
    return {
      status: res.status,
      link: res.headers.get('link'),
      body: await res.json(),
    };
  };
  const post = (path: string, body: unknown) =>
    call(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    await h.setup();
    svc = await h.start({ ALERTING_RULES_FILE: testRules(['critical_incident'], () => undefined) });
    api = `http://127.0.0.1:${svc.httpPort}`;
    // 5 incidents, each FIRING; the first 3 RESOLVED: 8 history records, 2 open alerts
    await h.send('incidentsNormalized', h.topics.incidents, [
      ...Array.from({ length: INCIDENTS }, (_, i) => report(i, 'REPORTED')),
      ...[0, 1, 2].map((i) => report(i, 'RESOLVED')),
    ]);
    const pool = h.pool();
    await waitFor(
      async () =>
        Number((await pool.query('SELECT count(*) AS n FROM alert_events')).rows[0].n) === 8,
      { what: 'the 8 alert events in PostgreSQL' },
    );
    doc = (await call('/openapi.json')).body as OpenAPIV3.Document;
  });

  afterAll(async () => {
    await svc?.close();
    await h.teardown();
  });

  it('serves a valid OpenAPI document that describes every route the server has registered', async () => {
    await SwaggerParser.validate(structuredClone(doc) as never);
    const routes = servedRoutes(svc!.app);
    expect(routes.length).toBeGreaterThanOrEqual(4);
    expect(documentationGaps(doc as never, routes)).toEqual([]);
    const docs = await fetch(`${api}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
  });

  it('reads the history page by page through the Link header, each page as documented', async () => {
    const check = responseChecker(doc as never);
    const seen: Json[] = [];
    let next: string | null = `/alerts/history?zone=zq&from=${t0}&limit=3`;
    let pages = 0;
    while (next !== null && pages < 10) {
      const page = await call(next);
      expect(page.status).toBe(200);
      expect(check('get', '/alerts/history', 200, page.body)).toEqual([]);
      seen.push(...(page.body as Json[]));
      next = page.link?.match(/^<([^>]+)>; rel="next"$/)?.[1] ?? null;
      pages++;
    }
    // 8 records in pages of 3: 3, 3, 2, in event-time order, each once
    expect(pages).toBe(3);
    const expected = [
      ...Array.from({ length: INCIDENTS }, (_, i) => ({ at: t0 + i * 60 * S, s: `I-${i} FIRING` })),
      ...[0, 1, 2].map((i) => ({ at: t0 + i * 60 * S + 30 * S, s: `I-${i} RESOLVED` })),
    ]
      .sort((a, b) => a.at - b.at)
      .map((e) => e.s);
    expect(seen.map((e) => `${String(e.subject_id)} ${String(e.status)}`)).toEqual(expected);
  });

  it('answers the open alerts, one alert and its acknowledgement as documented', async () => {
    const check = responseChecker(doc as never);
    const open = await call('/alerts/open?zone=ZQ&limit=10');
    expect(check('get', '/alerts/open', 200, open.body)).toEqual([]);
    const ids = (open.body as Json[]).map((a) => String(a.alert_id));
    expect((open.body as Json[]).map((a) => a.subject_id)).toEqual(['I-4', 'I-3']);
    const id = encodeURIComponent(ids[0]);
    expect(check('get', '/alerts/{alertId}', 200, (await call(`/alerts/${id}`)).body)).toEqual([]);
    const ack = await post(`/alerts/${id}/ack`, { by: 'operator-7' });
    expect(ack.status).toBe(200);
    expect(check('post', '/alerts/{alertId}/ack', 200, ack.body)).toEqual([]);
    expect(ack.body).toMatchObject({ acknowledged_by: 'operator-7' });
    const bad = await post(`/alerts/${id}/ack`, { by: 'x', as: 'admin' });
    expect(bad).toMatchObject({
      status: 400,
      body: { problems: [{ in: 'body', parameter: 'as' }] },
    });
  });

  it.each([
    ['from[$gt]=1', 'from[$gt]'],
    ['zone%5B%24ne%5D=ZQ', 'zone[$ne]'],
    ['limit[]=5', 'limit[]'],
    ['nope=1', 'nope'],
  ])('refuses ?%s on every route with a 400 naming %s', async (qs, parameter) => {
    const check = responseChecker(doc as never);
    const id = encodeURIComponent(`incidents.critical|I-0|${t0}`);
    for (const { method, path } of servedRoutes(svc!.app)) {
      const res = await call(`${path.replace('{alertId}', id)}?${qs}`, {
        method: method.toUpperCase(),
      });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 400 });
      expect(res.body).toMatchObject({ problems: [{ in: 'query', parameter }] });
      expect(check(method, path, 400, res.body)).toEqual([]);
    }
  });

  it.each([
    ['/alerts/open?limit=0', 'limit'],
    ['/alerts/open?limit=1&limit=2', 'limit'],
    ['/alerts/open?zone=', 'zone'],
    ['/alerts/history?from=yesterday', 'from'],
    ['/alerts/history?to=2026-02-30', 'to'],
    ['/alerts/history?from=2026-01-02&to=2026-01-01', 'to'],
    ['/alerts/history?after=no-such-event', 'after'],
  ])('refuses %s naming %s, and valid queries still answer', async (path, parameter) => {
    const res = await call(path);
    expect(res).toMatchObject({ status: 400, body: { problems: [{ parameter }] } });
    expect((await call(path.split('?')[0])).status).toBe(200);
  });
});
