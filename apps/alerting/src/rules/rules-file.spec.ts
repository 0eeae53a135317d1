import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RULES_FILE } from '../config';
import { levelsFor, loadRules, RulesFileError } from './rules-file';

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof RulesFileError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a RulesFileError');
}

describe('rules file', () => {
  it('loads the shipped YAML file with the thresholds of the issue', () => {
    const r = loadRules(DEFAULT_RULES_FILE);
    expect(r.severe_congestion.fire_below).toBe(5);
    expect(r.overcapacity.fire_above).toBe(95);
    expect(r.crowded_vehicle.fire_above).toBe(90);
    expect(r.critical_incident.severities).toEqual(['CRITICAL']);
  });

  it('reads JSON too', () => {
    const yaml = loadRules(DEFAULT_RULES_FILE);
    expect(loadRules(file('r.json', JSON.stringify(yaml)))).toEqual(yaml);
  });

  it('lists every problem at once: missing, wrong type, unknown key, bad band, bad override', () => {
    const r = JSON.parse(JSON.stringify(loadRules(DEFAULT_RULES_FILE)));
    delete r.lateness_seconds;
    r.overcapacity.fire_above = 'high';
    r.crowded_vehicle.fire_abvoe = 1;
    r.severe_congestion.resolve_above = 4; // below fire_below 5: would flap
    r.severe_congestion.overrides = { Z03: { fire_below: 9 } }; // above the rule's resolve level
    r.dlq_rate.overrides = { traffic: { window_seconds: 5 } }; // not a level
    r.anomaly.resolve_z = 10;
    const problems = problemsOf(() => loadRules(file('r.json', JSON.stringify(r))));
    expect(problems).toEqual(
      expect.arrayContaining([
        'lateness_seconds: required',
        expect.stringMatching(/^overcapacity\.fire_above: Expected number/),
        expect.stringMatching(/^crowded_vehicle: Unrecognized key.*fire_abvoe/),
        expect.stringMatching(
          /^severe_congestion: resolve_above \(4\) must be above fire_below \(5\)/,
        ),
        expect.stringMatching(/^dlq_rate\.overrides\.traffic: Unrecognized key.*window_seconds/),
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it('checks each override merged with its rule', () => {
    const r = JSON.parse(JSON.stringify(loadRules(DEFAULT_RULES_FILE)));
    r.severe_congestion.overrides = { Z03: { fire_below: 9 } };
    r.anomaly.resolve_z = 10;
    expect(problemsOf(() => loadRules(file('r.json', JSON.stringify(r))))).toEqual([
      'severe_congestion.overrides.Z03: resolve_above (8) must be above fire_below (9), or a value at the threshold flaps',
      'anomaly.resolve_z: must be below fire_z',
    ]);
  });

  it('refuses an unreadable or unparsable file', () => {
    expect(problemsOf(() => loadRules('/nonexistent/rules.yaml'))[0]).toMatch(/ENOENT/);
    expect(problemsOf(() => loadRules(file('r.yaml', 'a: [1, 2')))[0]).toMatch(/^\(file\): /);
  });

  it('gives a subject its override on top of the rule', () => {
    const r = loadRules(DEFAULT_RULES_FILE);
    const rule = { ...r.severe_congestion, overrides: { Z01: { fire_below: 3 } } };
    expect(levelsFor(rule, 'Z01')).toMatchObject({ fire_below: 3, resolve_above: 8 });
    expect(levelsFor(rule, 'Z02')).toMatchObject({ fire_below: 5, resolve_above: 8 });
  });
});
