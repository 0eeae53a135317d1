import { repoRoot } from '@citypulse/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  builtins,
  dashboardProblems,
  emptyPanel,
  loadDashboards,
  panelsOf,
  provisionedDatasources,
  substitute,
  variablesIn,
  type DashboardFile,
} from './dashboards';

const DS = { type: 'prometheus', uid: 'citypulse-prometheus' };

describe("deploy/grafana's dashboards", () => {
  const dashboards = loadDashboards();
  const { uids, timeIntervalS } = provisionedDatasources();

  it('are the city and the pipeline dashboard, on the provisioned datasource, ids unique, variables defined', () => {
    expect(uids).toEqual(['citypulse-prometheus']);
    expect(timeIntervalS).toBe(5);
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'citypulse-city',
      'citypulse-overview',
    ]);
    expect(dashboards.flatMap((d) => dashboardProblems(d, uids))).toEqual([]);
  });

  it('the city dashboard has the zone and line variables, and uses them', () => {
    const city = dashboards.find((d) => d.dashboard.uid === 'citypulse-city')!.dashboard;
    expect((city.templating?.list ?? []).map((v) => v.name)).toEqual(['zone', 'line']);
    const exprs = panelsOf(city).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
    expect(exprs.filter((e) => e.includes('$zone')).length).toBeGreaterThan(3);
    expect(exprs.filter((e) => e.includes('$line')).length).toBeGreaterThan(3);
  });

  it('are provisioned by docker-compose.yml: the provider reads the folder compose mounts them in', () => {
    const provider = readFileSync(
      join(repoRoot(), 'deploy/grafana/provisioning/dashboards/citypulse.yaml'),
      'utf8',
    );
    const path = /^\s*path:\s*(\S+)/m.exec(provider)?.[1];
    const compose = readFileSync(join(repoRoot(), 'docker-compose.yml'), 'utf8');
    const mounts = [...compose.matchAll(/^\s*-\s*\.\/deploy\/grafana\/([\w/]+):([^:\s]+)/gm)].map(
      (m) => [m[1], m[2]],
    );
    expect(mounts).toEqual(
      expect.arrayContaining([
        ['dashboards', path],
        ['provisioning/dashboards', '/etc/grafana/provisioning/dashboards'],
        ['provisioning/datasources', '/etc/grafana/provisioning/datasources'],
      ]),
    );
  });
});

describe('dashboardProblems', () => {
  const file = (dashboard: DashboardFile['dashboard']): DashboardFile => ({
    file: 'x.json',
    dashboard,
  });

  it('names a foreign datasource, a repeated or missing id, an undefined variable, a panel without a query', () => {
    const problems = dashboardProblems(
      file({
        uid: 'x',
        title: 'x',
        panels: [
          { id: 1, type: 'row', title: 'r' },
          {
            id: 2,
            type: 'timeseries',
            title: 'a',
            datasource: { type: 'prometheus', uid: 'other' },
            targets: [{ refId: 'A', expr: 'up{job=~"$job"}' }],
          },
          { id: 2, type: 'stat', title: 'b', datasource: DS, targets: [{ refId: 'A', expr: '' }] },
          {
            type: 'stat',
            title: 'c',
            datasource: DS,
            targets: [{ refId: 'A', expr: 'rate(x[$__rate_interval]) + ${zone:regex}' }],
          },
        ],
        templating: { list: [{ name: 'zone', type: 'query', datasource: DS, query: 'up' }] },
      }),
      ['citypulse-prometheus'],
    );
    expect(problems).toEqual([
      'x.json: panel "a" (id 2): datasource {"type":"prometheus","uid":"other"} is not the provisioned Prometheus (uid citypulse-prometheus)',
      'x.json: panel "b" (id 2) has no query',
      'x.json: panel "c" (id ?) has no numeric id',
      'x.json: panel id 2 is used by 2 panels',
      'x.json: variable zone: query "up" is not label_values(...)',
      'x.json: panel "a" (id 2) uses $job, which is not defined',
    ]);
  });
});

describe('template variables', () => {
  it('finds and substitutes every syntax Grafana knows, built-ins included', () => {
    const expr =
      'sum(rate(m{zone=~"$zone", line=~"${line}", p="[[p]]", q=~"${q:regex}"}[$__rate_interval]))';
    expect(variablesIn(expr)).toEqual(['zone', 'line', 'p', 'q', '__rate_interval']);
    expect(
      substitute(expr, { zone: '.*', line: '(L1|L2)', p: 'HIGH', q: 'a', __rate_interval: '20s' }),
    ).toBe('sum(rate(m{zone=~".*", line=~"(L1|L2)", p="HIGH", q=~"a"}[20s]))');
    expect(substitute('$unknown', {})).toBe('$unknown');
  });

  it("computes Grafana's intervals: the scrape interval at least, $__rate_interval four of them", () => {
    const v = builtins({ start: 0, end: 180_000 }, 5);
    expect([v.__interval, v.__rate_interval, v.__range, v.__range_s]).toEqual([
      '5s',
      '20s',
      '180s',
      '180',
    ]);
    expect(builtins({ start: 0, end: 86_400_000 }, 5).__interval).toBe('87s');
  });

  it('calls a panel empty when none of its queries returned a series, and names refused queries', () => {
    const panel = { id: 7, type: 'timeseries', title: 't' };
    expect(
      emptyPanel({
        dashboard: 'd',
        panel,
        targets: [
          { refId: 'A', expr: 'a', series: 0 },
          { refId: 'B', expr: 'b', series: 2 },
        ],
      }),
    ).toBeUndefined();
    expect(
      emptyPanel({ dashboard: 'd', panel, targets: [{ refId: 'A', expr: 'a', series: 0 }] }),
    ).toBe('d panel "t" (id 7) returned no series: a');
    expect(
      emptyPanel({
        dashboard: 'd',
        panel,
        targets: [{ refId: 'A', expr: 'a(', series: 0, error: 'bad_data: parse error' }],
      }),
    ).toBe('d panel "t" (id 7): query A refused (bad_data: parse error): a(');
  });
});
