import { testCity } from '../testing/city';
import { generateTickets } from './generate';
import { TICKET_MALFORMED_VARIANTS, corruptTicket, type TicketRecord } from './ticket-faults';

const START = Date.UTC(2024, 0, 8, 9);
const readings = (rs: TicketRecord[]) =>
  rs.filter((r): r is Extract<TicketRecord, { kind: 'reading' }> => r.kind === 'reading');

describe('ticket faults', () => {
  const faults = {
    duplicates: 0.03,
    outOfOrder: 0.03,
    late: 0.02,
    malformed: 0.03,
    brokenAvro: 0.02,
    messyIds: 0.05,
  };
  const run = () => [
    ...generateTickets({ seed: 9, city: testCity(), startTime: START, faults }, 8_000),
  ];

  it('injects every fault, deterministically, keyed by the canonical ticket id', () => {
    const rs = run();
    const kinds = new Set(rs.flatMap((r) => r.faults as string[]));
    expect([...kinds].sort()).toEqual([
      'broken_avro',
      'duplicate',
      'late',
      'malformed',
      'messy_id',
      'out_of_order',
    ]);
    expect(run()).toEqual(rs);
    const messy = readings(rs).filter(
      (r) => r.faults.includes('messy_id') && !r.faults.includes('malformed'),
    );
    expect(messy.length).toBeGreaterThan(100);
    expect(
      messy.filter(
        (r) => r.value.ticket_id === r.key || r.value.ticket_id.trim().toUpperCase() !== r.key,
      ),
    ).toEqual([]);
    const dups = readings(rs).filter((r) => r.faults.includes('duplicate'));
    for (const d of dups.slice(0, 50)) {
      const original = readings(rs).find((r) => r.value.event_id === d.value.event_id && r !== d)!;
      expect(original.seq).toBeLessThan(d.seq);
      expect(d.value).toEqual(original.value);
    }
  });

  it('makes each malformed variant impossible', () => {
    const base = readings(run()).find(
      (r) => r.faults.length === 0 && r.value.zone_id !== null,
    )!.value;
    const bad = Object.fromEntries(
      TICKET_MALFORMED_VARIANTS.map((v) => [v, corruptTicket(base, v)]),
    ) as Record<(typeof TICKET_MALFORMED_VARIANTS)[number], typeof base>;
    expect(testCity().zones.map((z) => z.id)).not.toContain(bad.unknown_zone.zone_id);
    expect(bad.far_future.event_time).toBeGreaterThan(base.event_time + 86_400_000);
    expect(bad.unknown_priority.priority).toBe('UNKNOWN');
    expect(bad.unknown_category.category).toBe('UNKNOWN');
    expect(bad.unknown_channel.channel).toBe('UNKNOWN');
    expect(base.priority).not.toBe('UNKNOWN');
  });
});
