/**
 * The transport, incidents and tickets workers against the real stack (make up): Kafka, the
 * schema registry and PostgreSQL with the reference tables seeded from city.json. For each,
 * good records (messy ids, range edges, enrichment), a duplicate, one record per reject reason
 * that the seeded data can show, and bytes that are not Avro go into a topic of the test's own;
 * the normalized topic and the DLQ are read back and checked record by record.
 */
import {
  type IncidentNormalized,
  type IncidentRaw,
  type StreamName,
  type SupportTicketNormalized,
  type SupportTicketRaw,
  type TransportVehicleStatusNormalized,
  type TransportVehicleStatusRaw,
  type ValueOf,
} from '@citypulse/contracts';
import { DLQ_HEADERS } from '@citypulse/kafka';
import type { WorkerName } from '../src/config/normalizer.config';
import { RAW_BODIES } from './raw-records';
import { WorkerHarness, type Collected } from './worker-harness';

const now = Date.now();
let seq = 0;
// Fixed width, so no id is a substring of another when the DLQ bytes are searched for it.
const nextId = (prefix: string): string => `it-${prefix}-${String(++seq).padStart(4, '0')}`;
const GARBAGE = [Buffer.from('{"not":"avro"}')];

interface Scenario<S extends StreamName> {
  worker: WorkerName;
  raw: S;
  good: ValueOf<S>[];
  duplicates: ValueOf<S>[];
  bad: [ValueOf<S>, string][];
}

/** Runs one worker over a scenario; returns what came out, checked for counts and DLQ reasons. */
async function run<S extends StreamName, Out extends { event_id: string }>(
  scenario: Scenario<S>,
): Promise<Map<string, Collected<Out>>> {
  const h = new WorkerHarness(scenario.worker);
  try {
    await h.start();
    const normalized = await h.normalized<Out>();
    const dlq = await h.deadLetters();
    const [first, ...rest] = scenario.good;
    await h.send(scenario.raw, [first, ...scenario.bad.map(([v]) => v), ...scenario.duplicates]);
    await h.sendRaw(GARBAGE, 'garbage');
    await h.send(scenario.raw, rest);
    await h.settle(normalized, dlq, {
      normalized: scenario.good.length,
      dlq: scenario.bad.length + GARBAGE.length,
    });

    expect(normalized.map((n) => n.value.event_id).sort()).toEqual(
      scenario.good.map((g) => g.event_id.trim()).sort(),
    );
    for (const [value, reason] of scenario.bad) {
      const hit = dlq.find(
        (d) =>
          d.headers[DLQ_HEADERS.errorMessage]?.startsWith(`${reason}:`) &&
          d.value.includes(Buffer.from(value.event_id)),
      );
      expect({ event: value.event_id, reason, found: hit !== undefined }).toEqual({
        event: value.event_id,
        reason,
        found: true,
      });
      expect(hit!.headers).toMatchObject({
        [DLQ_HEADERS.topic]: h.input,
        [DLQ_HEADERS.errorCode]: 'INVALID_RECORD',
        [DLQ_HEADERS.service]: 'normalizer',
      });
      expect((await h.serde.decode(hit!.value)).value).toEqual(value);
    }
    for (const g of GARBAGE) {
      expect(dlq.find((d) => d.value.equals(g))?.headers[DLQ_HEADERS.errorCode]).toMatch(
        /BAD_FRAME|UNKNOWN_SCHEMA/,
      );
    }
    for (const n of normalized) {
      expect((n.value as unknown as { ingested_at: number }).ingested_at).toBeGreaterThanOrEqual(
        now - 1_000,
      );
    }
    return new Map(normalized.map((n) => [n.value.event_id, n]));
  } finally {
    await h.stop();
  }
}

describe('transport worker (Kafka + registry + PostgreSQL)', () => {
  const status = (over: Partial<TransportVehicleStatusRaw> = {}): TransportVehicleStatusRaw => ({
    event_id: nextId('transport'),
    event_time: now - 60_000 + seq,
    ...RAW_BODIES.transport,
    source: 'int-test',
    ...over,
  });

  it('normalizes and enriches statuses from transport_lines, rejects the impossible ones', async () => {
    const good = [
      status(),
      status({
        vehicle_id: ' l2-v01 ',
        line_id: ' l2 ',
        vehicle_type: 'UNKNOWN',
        passenger_count: 250,
        delay_seconds: 301,
      }),
      status({ vehicle_id: 'L1-V08', line_id: 'L1', vehicle_type: 'METRO', passenger_count: 0 }),
    ];
    const byId = await run<'transportRaw', TransportVehicleStatusNormalized>({
      worker: 'transport',
      raw: 'transportRaw',
      good,
      duplicates: [{ ...good[0] }],
      bad: [
        [status({ latitude: 95 }), 'invalid_coordinates'],
        [status({ delay_seconds: 99_999 }), 'delay_out_of_range'],
        [status({ passenger_count: -1 }), 'passenger_count_out_of_range'],
        [status({ passenger_count: 91 }), 'passenger_count_out_of_range'],
        [status({ line_id: 'X9' }), 'unknown_line'],
        [status({ vehicle_type: 'FERRY' }), 'vehicle_type_mismatch'],
        [status({ event_time: now + 3_600_000 }), 'event_time_in_future'],
      ],
    });
    expect(byId.get(good[0].event_id)).toMatchObject({
      key: 'B21-V02',
      value: {
        vehicle_id: 'B21-V02',
        line_id: 'B21',
        line_name: 'Bus 21 Hillside - Old Town',
        vehicle_type: 'BUS',
        zone_id: null,
        delay_seconds: 30,
        on_time: true,
        passenger_count: 45,
        capacity: 90,
        occupancy_pct: 50,
        event_time: good[0].event_time,
        source: 'int-test',
      },
    });
    expect(byId.get(good[1].event_id)).toMatchObject({
      key: 'L2-V01',
      value: {
        vehicle_id: 'L2-V01',
        line_id: 'L2',
        vehicle_type: 'TRAM',
        on_time: false,
        capacity: 250,
        occupancy_pct: 100,
      },
    });
    expect(byId.get(good[2].event_id)?.value).toMatchObject({ capacity: 900, occupancy_pct: 0 });
  });
});

describe('incidents worker (Kafka + registry + PostgreSQL)', () => {
  const report = (over: Partial<IncidentRaw> = {}): IncidentRaw => ({
    event_id: nextId('incident'),
    event_time: now - 60_000 + seq,
    ...RAW_BODIES.incidents,
    incident_id: `inc-${seq}`,
    source: 'int-test',
    ...over,
  });

  it('normalizes reports and names their zone from zones, rejects the incomplete ones', async () => {
    const good = [
      report(),
      report({ zone_id: ' z09 ', latitude: null, longitude: null, description: '  ' }),
    ];
    const byId = await run<'incidentsRaw', IncidentNormalized>({
      worker: 'incidents',
      raw: 'incidentsRaw',
      good,
      duplicates: [{ ...good[1] }],
      bad: [
        [report({ zone_id: 'Z99' }), 'unknown_zone'],
        [report({ incident_type: 'UNKNOWN' }), 'unknown_incident_type'],
        [report({ severity: 'UNKNOWN' }), 'unknown_severity'],
        [report({ status: 'UNKNOWN' }), 'unknown_status'],
        [report({ longitude: null }), 'invalid_coordinates'],
        [report({ incident_id: ' ' }), 'missing_incident_id'],
      ],
    });
    expect(byId.get(good[0].event_id)).toMatchObject({
      key: good[0].incident_id,
      value: {
        incident_id: good[0].incident_id,
        zone_id: 'Z03',
        zone_name: 'Harbour',
        incident_type: 'ACCIDENT',
        severity: 'HIGH',
        status: 'REPORTED',
        latitude: 53.54,
        longitude: 9.98,
        description: 'lane 2 blocked',
      },
    });
    expect(byId.get(good[1].event_id)?.value).toMatchObject({
      zone_id: 'Z09',
      zone_name: 'Market Square',
      latitude: null,
      longitude: null,
      description: null,
    });
  });
});

describe('tickets worker (Kafka + registry + PostgreSQL)', () => {
  const ticket = (over: Partial<SupportTicketRaw> = {}): SupportTicketRaw => ({
    event_id: nextId('ticket'),
    event_time: now - 60_000 + seq,
    ...RAW_BODIES.tickets,
    ticket_id: `WEB-${seq}`,
    source: 'int-test',
    ...over,
  });

  it('normalizes tickets, names a known zone, rejects unknown symbols and zones', async () => {
    const good = [
      ticket(),
      ticket({ ticket_id: ' app-77 ', zone_id: null, subject: ' Noise\n at night ' }),
    ];
    const byId = await run<'ticketsRaw', SupportTicketNormalized>({
      worker: 'tickets',
      raw: 'ticketsRaw',
      good,
      duplicates: [{ ...good[0] }],
      bad: [
        [ticket({ priority: 'UNKNOWN' }), 'unknown_priority'],
        [ticket({ category: 'UNKNOWN' }), 'unknown_category'],
        [ticket({ channel: 'UNKNOWN' }), 'unknown_channel'],
        [ticket({ zone_id: 'Z99' }), 'unknown_zone'],
        [ticket({ ticket_id: '' }), 'missing_ticket_id'],
      ],
    });
    expect(byId.get(good[0].event_id)).toMatchObject({
      key: good[0].ticket_id,
      value: { ticket_id: good[0].ticket_id, zone_id: 'Z02', zone_name: 'Central Station' },
    });
    expect(byId.get(good[1].event_id)).toMatchObject({
      key: 'APP-77',
      value: {
        ticket_id: 'APP-77',
        zone_id: null,
        zone_name: null,
        subject: 'Noise at night',
        priority: 'HIGH',
      },
    });
  });
});
