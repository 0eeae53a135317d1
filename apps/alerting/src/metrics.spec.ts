import { catalogProblems, Metrics } from '@citypulse/observability';
import { AlertEngine, RULE_IDS, RULES } from './engine/alert-engine';
import { AlertingMetrics, ruleSeverities } from './metrics';
import { incident, rulesWith, T0 } from './testing/fixtures';

/** The samples of one metric as `{labels}` -> value, `service` left out. */
async function series(m: Metrics, name: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await m.text()).split('\n')) {
    const x = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (x?.[1] !== `citypulse_${name}`) continue;
    out.set(x[2].replace(/,?service="[^"]*"/, ''), Number(x[3]));
  }
  return out;
}

describe('AlertingMetrics', () => {
  it('counts open alerts by rule and severity from the engine, 0 for every enabled rule with none', async () => {
    const rules = rulesWith((r) => (r.anomaly.enabled = false));
    const engine = new AlertEngine(rules);
    const metrics = new Metrics({ service: 'alerting', defaultMetrics: false });
    new AlertingMetrics(metrics).openAlertsFrom(() => engine.openEpisodes(), ruleSeverities(rules));

    const before = await series(metrics, 'city_alerts_open');
    expect(before.size).toBe(RULE_IDS.length - 1); // anomaly is off
    expect([...before.values()].every((v) => v === 0)).toBe(true);
    expect(before.get(`rule="${RULES.criticalIncident}",severity="CRITICAL"`)).toBe(0);

    engine.incidents([
      incident({ incident_id: 'I1', t: T0, severity: 'CRITICAL' }),
      incident({ incident_id: 'I2', t: T0, severity: 'CRITICAL' }),
    ]);
    const open = await series(metrics, 'city_alerts_open');
    expect(open.get(`rule="${RULES.criticalIncident}",severity="CRITICAL"`)).toBe(2);
    expect(open.get(`rule="${RULES.severeCongestion}",severity="HIGH"`)).toBe(0);

    engine.incidents([
      incident({ incident_id: 'I1', t: T0 + 1_000, severity: 'CRITICAL', status: 'RESOLVED' }),
    ]);
    expect(
      (await series(metrics, 'city_alerts_open')).get(
        `rule="${RULES.criticalIncident}",severity="CRITICAL"`,
      ),
    ).toBe(1);
    expect(catalogProblems(await metrics.text())).toEqual([]);
  });

  it('starts every webhook receiver at 0 deliveries of each outcome', async () => {
    const metrics = new Metrics({ service: 'alerting', defaultMetrics: false });
    const m = new AlertingMetrics(metrics);
    m.receivers(['hooks-1a2b3c4d']);
    m.delivery('hooks-1a2b3c4d', 'failed');
    expect(Object.fromEntries(await series(metrics, 'webhook_deliveries_total'))).toEqual({
      'receiver="hooks-1a2b3c4d",outcome="delivered"': 0,
      'receiver="hooks-1a2b3c4d",outcome="failed"': 1,
      'receiver="hooks-1a2b3c4d",outcome="dead_lettered"': 0,
    });
    expect(Object.fromEntries(await series(metrics, 'webhook_dead_letters_total'))).toEqual({
      'receiver="hooks-1a2b3c4d"': 0,
    });
    expect(catalogProblems(await metrics.text())).toEqual([]);
  });
});
