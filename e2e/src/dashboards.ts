/**
 * The Grafana dashboards of deploy/grafana as the dashboards' test reads them: their JSON checked
 * on its own (datasource uid, panel ids, variables), and every panel's queries run against a live
 * Prometheus the way Grafana would run them (template variables and Grafana's built-in intervals
 * substituted first).
 */
import { repoRoot } from '@citypulse/testing';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrometheusQueryError, type PrometheusApi } from './prometheus';

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface Target {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  hide?: boolean;
  datasource?: DatasourceRef;
}

export interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: DatasourceRef;
  targets?: Target[];
  repeat?: string;
  /** a collapsed row's panels */
  panels?: Panel[];
}

export interface Variable {
  name: string;
  type: string;
  datasource?: DatasourceRef;
  query?: string | { query?: string };
  definition?: string;
  includeAll?: boolean;
  multi?: boolean;
  allValue?: string;
  current?: { value?: string | string[] };
  options?: { value: string }[];
}

export interface Dashboard {
  uid?: string;
  title?: string;
  panels?: Panel[];
  templating?: { list?: Variable[] };
}

export interface DashboardFile {
  file: string;
  dashboard: Dashboard;
}

const GRAFANA = () => join(repoRoot(), 'deploy', 'grafana');

/** Every dashboard JSON of deploy/grafana/dashboards (what the provisioning loads). */
export function loadDashboards(dir = join(GRAFANA(), 'dashboards')): DashboardFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      file: join('deploy/grafana/dashboards', f),
      dashboard: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard,
    }));
}

/** What the datasource provisioning says: the uids it provisions and Grafana's minimum interval. */
export function provisionedDatasources(
  file = join(GRAFANA(), 'provisioning', 'datasources', 'prometheus.yaml'),
): { uids: string[]; timeIntervalS: number } {
  const text = readFileSync(file, 'utf8');
  const uids = [...text.matchAll(/^\s*uid:\s*['"]?([\w-]+)/gm)].map((m) => m[1]);
  const interval = /^\s*timeInterval:\s*['"]?(\d+)s/m.exec(text);
  return { uids, timeIntervalS: interval ? Number(interval[1]) : 15 };
}

/** Every panel, rows' collapsed panels included. */
export function panelsOf(d: Dashboard): Panel[] {
  return (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** A panel as a person finds it: its title and id. */
export const panelName = (p: Panel) => `"${p.title ?? '(untitled)'}" (id ${p.id ?? '?'})`;

/** Grafana's built-in variables the dashboards may use (substituted by builtins()). */
const BUILTINS = new Set([
  '__interval',
  '__interval_ms',
  '__rate_interval',
  '__rate_interval_ms',
  '__range',
  '__range_s',
  '__range_ms',
  '__from',
  '__to',
]);

// ${name}, ${name:format}, [[name]], [[name:format]], $name
const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g;

/** The variable names a text uses. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Replaces every variable a text uses by its value (a name without one stays as it is). */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(VARIABLE, (whole, a?: string, b?: string, c?: string) => {
    const v = values[(a ?? b ?? c)!];
    return v ?? whole;
  });
}

/**
 * Grafana's built-in interval variables for a time range, as it computes them for Prometheus:
 * $__interval is the range over the panel's data points, at least the datasource's minimum
 * interval (its scrape interval, `timeInterval`); $__rate_interval is the larger of
 * $__interval + that interval and 4 intervals; $__range is the range in seconds.
 */
export function builtins(
  range: { start: number; end: number },
  timeIntervalS: number,
  maxDataPoints = 1_000,
): Record<string, string> {
  const rangeS = Math.max(1, Math.round((range.end - range.start) / 1000));
  const intervalS = Math.max(timeIntervalS, Math.ceil(rangeS / maxDataPoints));
  const rateS = Math.max(intervalS + timeIntervalS, 4 * timeIntervalS);
  return {
    __interval: `${intervalS}s`,
    __interval_ms: String(intervalS * 1000),
    __rate_interval: `${rateS}s`,
    __rate_interval_ms: String(rateS * 1000),
    __range: `${rangeS}s`,
    __range_s: String(rangeS),
    __range_ms: String(rangeS * 1000),
    __from: String(range.start),
    __to: String(range.end),
  };
}

const queryOf = (v: Variable): string =>
  (typeof v.query === 'string' ? v.query : v.query?.query) ?? v.definition ?? '';

/** Texts of a panel that may use variables: title, repeat, each target's expr and legend. */
function panelTexts(p: Panel): string[] {
  return [
    p.title ?? '',
    p.repeat ? `$${p.repeat}` : '',
    ...(p.targets ?? []).flatMap((t) => [t.expr ?? '', t.legendFormat ?? '']),
  ];
}

/**
 * What is wrong with a dashboard's JSON on its own: no uid or title; a panel without an id or with
 * one another panel has; a query panel whose datasource (or a target's) is not a provisioned uid,
 * or with no query; a variable defined twice, of an unsupported kind, or whose datasource is not
 * provisioned; a variable used but not defined (Grafana's built-ins aside).
 */
export function dashboardProblems(f: DashboardFile, datasourceUids: readonly string[]): string[] {
  const d = f.dashboard;
  const out: string[] = [];
  const say = (m: string) => out.push(`${f.file}: ${m}`);
  if (!d.uid) say('no uid');
  if (!d.title) say('no title');
  const provisioned = (ds: DatasourceRef | undefined) =>
    ds?.type === 'prometheus' && ds.uid !== undefined && datasourceUids.includes(ds.uid);
  const ids = new Map<number, number>();
  for (const p of panelsOf(d)) {
    if (typeof p.id !== 'number') say(`panel ${panelName(p)} has no numeric id`);
    else ids.set(p.id, (ids.get(p.id) ?? 0) + 1);
    if (p.type === 'row' || p.type === 'text') continue;
    const targets = p.targets ?? [];
    if (!provisioned(p.datasource))
      say(
        `panel ${panelName(p)}: datasource ${JSON.stringify(p.datasource)} is not the provisioned Prometheus (uid ${datasourceUids.join(', ')})`,
      );
    for (const t of targets)
      if (t.datasource && !provisioned(t.datasource))
        say(
          `panel ${panelName(p)} query ${t.refId}: datasource ${JSON.stringify(t.datasource)} is not provisioned`,
        );
    if (!targets.some((t) => t.expr?.trim())) say(`panel ${panelName(p)} has no query`);
  }
  for (const [id, n] of ids) if (n > 1) say(`panel id ${id} is used by ${n} panels`);

  const vars = d.templating?.list ?? [];
  const defined = new Set<string>();
  for (const v of vars) {
    if (defined.has(v.name)) say(`variable ${v.name} is defined twice`);
    defined.add(v.name);
    if (v.type !== 'query' && v.type !== 'custom' && v.type !== 'constant')
      say(`variable ${v.name}: type ${v.type} is not supported by the dashboards' test`);
    if (v.type === 'query') {
      if (!provisioned(v.datasource))
        say(`variable ${v.name}: datasource ${JSON.stringify(v.datasource)} is not provisioned`);
      if (!LABEL_VALUES.test(queryOf(v)))
        say(`variable ${v.name}: query "${queryOf(v)}" is not label_values(...)`);
    }
  }
  const uses = [
    ...panelsOf(d).flatMap((p) =>
      panelTexts(p).flatMap((t) => variablesIn(t).map((n) => [n, `panel ${panelName(p)}`])),
    ),
    ...vars.flatMap((v) => variablesIn(queryOf(v)).map((n) => [n, `variable ${v.name}`])),
  ];
  for (const [name, where] of uses)
    if (!defined.has(name) && !BUILTINS.has(name))
      say(`${where} uses $${name}, which is not defined`);
  return [...new Set(out)];
}

const LABEL_VALUES = /^\s*label_values\(\s*(?:(.*),\s*)?(\w+)\s*\)\s*$/;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A variable's values in a time range, and what it stands for in a query (Grafana's "All"). */
export interface ResolvedVariable {
  name: string;
  values: string[];
  value: string;
}

/**
 * Each variable's values as Grafana would list them (a query variable's label_values asked of
 * Prometheus over the range, earlier variables substituted), and the text it becomes in a query:
 * "All" (its allValue, else every value as a regex alternation) for a variable that offers it,
 * else its first value.
 */
export async function resolveVariables(
  d: Dashboard,
  prom: PrometheusApi,
  range: { start: number; end: number },
  builtinValues: Record<string, string>,
): Promise<ResolvedVariable[]> {
  const out: ResolvedVariable[] = [];
  const known: Record<string, string> = { ...builtinValues };
  for (const v of d.templating?.list ?? []) {
    let values: string[];
    if (v.type === 'query') {
      const m = LABEL_VALUES.exec(substitute(queryOf(v), known));
      values = m
        ? (await prom.labelValues(m[2], m[1]?.trim() || undefined, range.start, range.end)).sort()
        : [];
    } else {
      values = (v.options ?? []).map((o) => o.value).filter((x) => x !== '$__all');
      if (values.length === 0)
        values = queryOf(v)
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
    }
    const value =
      v.includeAll && v.allValue !== undefined
        ? v.allValue
        : v.includeAll || v.multi
          ? `(${values.map(escapeRegex).join('|')})`
          : (values[0] ?? '');
    out.push({ name: v.name, values, value });
    known[v.name] = value;
  }
  return out;
}

/** What one query of a panel returned. */
export interface TargetResult {
  refId: string;
  expr: string;
  series: number;
  error?: string;
}

export interface PanelResult {
  dashboard: string;
  panel: Panel;
  targets: TargetResult[];
}

/**
 * Runs every visible query of every panel as Grafana would over `range`: variables substituted,
 * a range query stepped by $__interval (an instant query at the end for an `instant` target).
 */
export async function evaluatePanels(
  f: DashboardFile,
  prom: PrometheusApi,
  range: { start: number; end: number },
  values: Record<string, string>,
): Promise<PanelResult[]> {
  const stepS = Number(values.__interval_ms) / 1000;
  const out: PanelResult[] = [];
  for (const p of panelsOf(f.dashboard)) {
    if (p.type === 'row' || p.type === 'text') continue;
    const targets: TargetResult[] = [];
    for (const t of p.targets ?? []) {
      if (t.hide || !t.expr?.trim()) continue;
      const expr = substitute(t.expr, values);
      const r: TargetResult = { refId: t.refId ?? '?', expr, series: 0 };
      try {
        const series =
          t.instant && !t.range
            ? await prom.query(expr, range.end)
            : await prom.queryRange(expr, range.start, range.end, stepS);
        r.series = series.filter((s) => s.points > 0).length;
      } catch (e) {
        if (!(e instanceof PrometheusQueryError)) throw e;
        r.error = e.message;
      }
      targets.push(r);
    }
    out.push({ dashboard: f.file, panel: p, targets });
  }
  return out;
}

/** Why a panel shows nothing (a refused query, or no series from any of its queries), or undefined. */
export function emptyPanel(r: PanelResult): string | undefined {
  const errors = r.targets.filter((t) => t.error);
  if (errors.length > 0)
    return `${r.dashboard} panel ${panelName(r.panel)}: ${errors.map((t) => `query ${t.refId} refused (${t.error}): ${t.expr}`).join('; ')}`;
  if (r.targets.every((t) => t.series === 0))
    return `${r.dashboard} panel ${panelName(r.panel)} returned no series: ${r.targets.map((t) => t.expr).join(' | ')}`;
  return undefined;
}
