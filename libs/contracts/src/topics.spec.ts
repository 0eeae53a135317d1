import { readFileSync, readdirSync } from 'node:fs';
import {
  ALL_TOPICS,
  STREAM_DEFINITIONS,
  STREAM_NAMES,
  TOPICS,
  dlqTopic,
  isDlqTopic,
  keyFor,
  streamForTopic,
  subjectFor,
} from './topics';
import { contractForTopic, contractOf } from './contracts';
import { SCHEMAS_DIR, TOPICS_FILE } from './paths';

describe('topics', () => {
  it('names each topic once', () => {
    expect(new Set(ALL_TOPICS).size).toBe(STREAM_NAMES.length);
    expect(TOPICS.trafficRaw).toBe('traffic.raw');
    expect(TOPICS.trafficNormalized).toBe('traffic.normalized');
  });

  it('derives DLQ topics and registry subjects', () => {
    expect(dlqTopic('traffic.raw')).toBe('traffic.raw.dlq');
    expect(isDlqTopic('traffic.raw.dlq')).toBe(true);
    expect(isDlqTopic('traffic.raw')).toBe(false);
    expect(subjectFor('traffic.raw')).toBe('traffic.raw-value');
  });

  it('maps topics back to streams', () => {
    expect(streamForTopic('agg.traffic.5m')).toBe('trafficByZone5m');
    expect(streamForTopic('nope')).toBeUndefined();
    expect(contractForTopic('alerts')?.valueType).toBe('city.pulse.Alert');
    expect(contractForTopic('nope')).toBeUndefined();
  });

  it('builds keys from the key fields, timestamps as epoch millis', () => {
    const c = contractOf('incidentsByZone15m');
    const key = c.key({
      event_id: 'e',
      event_time: 2,
      window_start: 1_700_000_100_000,
      window_end: 1_700_001_000_000,
      zone_id: 'Z01',
      zone_name: 'Centre',
      severity: 'HIGH',
      incident_count: 3,
      alert_level: 'ORANGE',
      updated_at: 5,
    });
    expect(key).toBe('Z01|HIGH|1700000100000');
    expect(keyFor('trafficByZone5m', { zone_id: 'Z02', window_start: 0 } as never)).toBe('Z02|0');
  });

  it('uses every schema file in exactly one stream, and topics.json is what was generated from', () => {
    const files = readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.avsc'));
    const used = STREAM_NAMES.map((s) => STREAM_DEFINITIONS[s].schemaFile);
    expect([...used].sort()).toEqual([...files].sort());
    const json = JSON.parse(readFileSync(TOPICS_FILE, 'utf8')) as {
      streams: Record<string, { topic: string }>;
    };
    expect(Object.values(json.streams).map((s) => s.topic)).toEqual(ALL_TOPICS);
  });
});
