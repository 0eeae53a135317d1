import type { SupportTicketRaw, TrafficReadingRaw } from '@citypulse/contracts';
import { DedupCache } from '../dedup/dedup-cache';
import { CityDirectory } from '../testing/directory';
import { ticketsStream } from '../workers/tickets/tickets.stream';
import { trafficStream } from '../workers/traffic/traffic.stream';
import { BatchDecider } from './batch-decision';

const NOW = Date.UTC(2024, 0, 8, 8);
const city = new CityDirectory();

function raw(
  id: string,
  over: Partial<TrafficReadingRaw> = {},
): { value: TrafficReadingRaw; source: string } {
  return {
    source: id,
    value: {
      event_id: id,
      event_time: NOW - 1_000,
      sensor_id: 'Z02-S01',
      zone_id: 'Z02',
      speed: 40,
      speed_unit: 'KMH',
      vehicle_count: 30,
      occupancy_pct: 20,
      source: 'test',
      ...over,
    },
  };
}

// Traffic is the stream under test; the decider is the same for every stream.
describe('BatchDecider', () => {
  it('splits a batch into accepted, rejected and duplicates, in order', () => {
    const p = new BatchDecider(trafficStream, new DedupCache(60_000, 1_000));
    const out = p.decide(
      [
        raw('a'),
        raw('b', { speed: -5 }),
        raw('a'),
        raw('c', { sensor_id: 'z06-s02 ', zone_id: 'Z06' }),
      ],
      city,
      NOW,
    );
    expect(out.accepted.map((a) => [a.source, a.key])).toEqual([
      ['a', 'Z02-S01'],
      ['c', 'Z06-S02'],
    ]);
    expect(out.rejected).toEqual([
      { source: 'b', reason: 'speed_out_of_range', message: expect.any(String) },
    ]);
    expect(out.duplicates).toEqual(['a']);
  });

  it('drops ids of earlier batches only once they were remembered', () => {
    const p = new BatchDecider(trafficStream, new DedupCache(60_000, 1_000));
    const first = p.decide([raw('a'), raw('b')], city, NOW);
    // Not remembered yet (say the produce failed and the batch is retried): nothing is a duplicate.
    expect(p.decide([raw('a'), raw('b')], city, NOW).duplicates).toEqual([]);
    p.remember(first, NOW);
    const again = p.decide([raw('a'), raw('b'), raw('x')], city, NOW + 1);
    expect(again.duplicates).toEqual(['a', 'b']);
    expect(again.accepted.map((a) => a.source)).toEqual(['x']);
  });

  it('rejects a record with a NUL in any text field, whatever the stream, before its own checks', () => {
    const p = new BatchDecider(trafficStream, new DedupCache(60_000, 1_000));
    const out = p.decide(
      [raw('a', { source: 'cam\u0000era' }), raw('b\u0000'), raw('c')],
      city,
      NOW,
    );
    expect(out.rejected).toEqual([
      { source: 'a', reason: 'text_with_nul', message: 'source contains a NUL character (U+0000)' },
      {
        source: 'b\u0000',
        reason: 'text_with_nul',
        message: 'event_id contains a NUL character (U+0000)',
      },
    ]);
    expect(out.accepted.map((a) => a.source)).toEqual(['c']);
  });

  it('lets a rejected id through the dedup (its duplicate is rejected again)', () => {
    const p = new BatchDecider(trafficStream, new DedupCache(60_000, 1_000));
    const out = p.decide(
      [raw('a', { occupancy_pct: 150 }), raw('a', { occupancy_pct: 150 })],
      city,
      NOW,
    );
    expect(out.rejected).toHaveLength(2);
    expect(out.duplicates).toHaveLength(0);
  });

  it("keys by the normalized contract's key fields and dedups on the trimmed event id", () => {
    const p = new BatchDecider(ticketsStream, new DedupCache(60_000, 1_000));
    const ticket = (
      event_id: string,
      ticket_id: string,
    ): { value: SupportTicketRaw; source: string } => ({
      source: event_id,
      value: {
        event_id,
        event_time: NOW - 1_000,
        ticket_id,
        priority: 'LOW',
        category: 'NOISE',
        channel: 'APP',
        zone_id: null,
        subject: 'loud',
        source: 'test',
      },
    });
    const out = p.decide(
      [ticket('t-1', ' app-7 '), ticket(' t-1 ', 'APP-7'), ticket('t-2', 'app-8')],
      city,
      NOW,
    );
    expect(out.accepted.map((a) => [a.eventId, a.key])).toEqual([
      ['t-1', 'APP-7'],
      ['t-2', 'APP-8'],
    ]);
    expect(out.duplicates).toEqual([' t-1 ']);
  });
});
