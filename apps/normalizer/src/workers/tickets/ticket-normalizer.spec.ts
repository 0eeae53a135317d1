import type { SupportTicketRaw } from '@citypulse/contracts';
import { CityDirectory } from '../../testing/directory';
import {
  normalizeTicket,
  TICKET_REJECT_REASONS,
  type TicketRejectReason,
} from './ticket-normalizer';

const NOW = Date.UTC(2024, 0, 8, 8);
const dir = new CityDirectory();

function raw(over: Partial<SupportTicketRaw> = {}): SupportTicketRaw {
  return {
    event_id: 'e-1',
    event_time: NOW - 10_000,
    ticket_id: 'WEB-1001',
    priority: 'HIGH',
    category: 'TRANSPORT',
    channel: 'WEB',
    zone_id: 'Z02',
    subject: 'Tram 5 skipped my stop',
    source: 'ticket-producer',
    ...over,
  };
}

describe('normalizeTicket', () => {
  it('normalizes a valid ticket and names its zone', () => {
    expect(normalizeTicket(raw(), dir, NOW)).toEqual({
      ok: true,
      value: {
        event_id: 'e-1',
        event_time: NOW - 10_000,
        ticket_id: 'WEB-1001',
        priority: 'HIGH',
        category: 'TRANSPORT',
        channel: 'WEB',
        zone_id: 'Z02',
        zone_name: 'Central Station',
        subject: 'Tram 5 skipped my stop',
        source: 'ticket-producer',
        ingested_at: NOW,
      },
    });
  });

  it('canonicalizes ids: trimmed, upper case', () => {
    const r = normalizeTicket(
      raw({ event_id: ' e-7 ', ticket_id: ' web-1001 ', zone_id: ' z12\t' }),
      dir,
      NOW,
    );
    expect(
      r.ok && [r.value.event_id, r.value.ticket_id, r.value.zone_id, r.value.zone_name],
    ).toEqual(['e-7', 'WEB-1001', 'Z12', 'Stadium']);
  });

  it('takes a ticket without a zone (null or blank) as one about no zone', () => {
    for (const zone_id of [null, '', '   ']) {
      const r = normalizeTicket(raw({ zone_id }), dir, NOW);
      expect(r.ok && [r.value.zone_id, r.value.zone_name]).toEqual([null, null]);
    }
  });

  it('tidies the subject line; an empty one is kept', () => {
    const r = normalizeTicket(raw({ subject: '  Noise at\r\n night \t again ' }), dir, NOW);
    expect(r.ok && r.value.subject).toBe('Noise at night again');
    const empty = normalizeTicket(raw({ subject: '   ' }), dir, NOW);
    expect(empty.ok && empty.value.subject).toBe('');
  });

  const cases: [Partial<SupportTicketRaw>, TicketRejectReason][] = [
    [{ event_id: '\t' }, 'missing_event_id'],
    [{ event_time: 1.5 }, 'invalid_event_time'],
    [{ event_time: NOW + 6 * 60_000 }, 'event_time_in_future'],
    [{ ticket_id: '' }, 'missing_ticket_id'],
    [{ priority: 'UNKNOWN' }, 'unknown_priority'],
    [{ category: 'UNKNOWN' }, 'unknown_category'],
    [{ channel: 'UNKNOWN' }, 'unknown_channel'],
    [{ zone_id: 'Z99' }, 'unknown_zone'],
  ];

  it.each(cases)('rejects %p as %s', (over, reason) => {
    const r = normalizeTicket(raw(over), dir, NOW);
    expect(!r.ok && r.reason).toBe(reason);
    expect(!r.ok && r.message.length).toBeGreaterThan(5);
  });

  it('has a case for every reject reason', () => {
    expect(new Set(cases.map(([, reason]) => reason))).toEqual(new Set(TICKET_REJECT_REASONS));
  });
});
