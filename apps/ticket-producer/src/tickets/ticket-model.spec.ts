import { contractOf, type SupportTicketRaw } from '@citypulse/contracts';
import { testCity } from '../testing/city';
import {
  TicketSequence,
  isOfficeHours,
  meanTicketsPerSecond,
  ticketDemand,
  type BaseTicket,
  type TicketModelOptions,
} from './ticket-model';

const MONDAY = Date.UTC(2024, 0, 8);
const H = 3_600_000;
const DAY = 24 * H;

/** Every ticket from `from` until `to`. */
function until(seq: TicketSequence, to: number): BaseTicket[] {
  const out: BaseTicket[] = [];
  while (seq.peekTime() < to) out.push(seq.next());
  return out;
}
const seq = (seed: string | number, o: Partial<TicketModelOptions> = {}, start = MONDAY) =>
  new TicketSequence(seed, testCity(), start, o);

describe('ticketDemand', () => {
  it('is low at night, highest in the morning office hours, lower on weekends, 1 on average', () => {
    expect(ticketDemand(MONDAY + 10.5 * H)).toBeGreaterThan(ticketDemand(MONDAY + 3 * H) * 6);
    expect(ticketDemand(MONDAY + 5 * DAY + 10.5 * H)).toBeLessThan(ticketDemand(MONDAY + 10.5 * H));
    let sum = 0;
    for (let q = 0; q < 7 * 96; q++) sum += ticketDemand(MONDAY + q * 15 * 60_000);
    expect(sum / (7 * 96)).toBeCloseTo(1, 6);
  });
});

describe('TicketSequence', () => {
  it('is the same sequence for the same seed, another for another seed', () => {
    const a = until(seq('a'), MONDAY + DAY);
    expect(until(seq('a'), MONDAY + DAY)).toEqual(a);
    expect(until(seq('b'), MONDAY + DAY).map((t) => t.value)).not.toEqual(a.map((t) => t.value));
  });

  it('opens valid contract tickets in event-time order, at the asked rate on average', () => {
    const tickets = until(
      seq(1, { burstChancePerMinute: 0, ticketsPerHour: 200 }),
      MONDAY + 14 * DAY,
    );
    const perHour = tickets.length / (14 * 24);
    expect(perHour).toBeGreaterThan(185);
    expect(perHour).toBeLessThan(215);
    const type = contractOf('ticketsRaw').type;
    const zones = new Set(testCity().zones.map((z) => z.id));
    const wrong = tickets.filter(
      ({ value: v }, i) =>
        !type.isValid(v) ||
        (i > 0 && v.event_time < tickets[i - 1].value.event_time) ||
        v.event_time < MONDAY ||
        (v.zone_id !== null && !zones.has(v.zone_id)) ||
        !/^TCK-[0-9A-F]{10}$/.test(v.ticket_id) ||
        v.subject.includes('{zone}'),
    );
    expect(wrong).toEqual([]);
    expect(new Set(tickets.map((t) => t.value.ticket_id)).size).toBe(tickets.length);
    expect(tickets.some((t) => t.burst)).toBe(false);
  });

  it('follows the day: more tickets by day, counters only in office hours', () => {
    const tickets = until(seq(2, { burstChancePerMinute: 0 }), MONDAY + 7 * DAY).map(
      (t) => t.value,
    );
    const hour = (v: SupportTicketRaw) => new Date(v.event_time).getUTCHours();
    const weekdays = tickets.filter((v) => new Date(v.event_time).getUTCDay() % 6 !== 0);
    const morning = weekdays.filter((v) => hour(v) === 10).length;
    const night = weekdays.filter((v) => hour(v) === 3).length;
    expect(morning).toBeGreaterThan(night * 5);
    const inPerson = tickets.filter((v) => v.channel === 'IN_PERSON');
    expect(inPerson.length).toBeGreaterThan(0);
    expect(inPerson.every((v) => isOfficeHours(v.event_time))).toBe(true);
    expect(new Set(tickets.map((v) => v.category)).size).toBe(8);
    expect(new Set(tickets.map((v) => v.priority))).toEqual(
      new Set(['LOW', 'MEDIUM', 'HIGH', 'URGENT']),
    );
    // billing is about an account, not a place
    const billing = tickets.filter((v) => v.category === 'BILLING');
    expect(billing.filter((v) => v.zone_id === null).length / billing.length).toBeGreaterThan(0.8);
  });

  it('bursts: many tickets at once about one thing in one place, more pressing', () => {
    const tickets = until(
      seq(3, { burstChancePerMinute: 0.01, burstFactor: 10, ticketsPerHour: 120 }),
      MONDAY + 3 * DAY,
    );
    const perMinute = new Map<number, BaseTicket[]>();
    for (const t of tickets) {
      const m = Math.floor(t.value.event_time / 60_000);
      perMinute.set(m, [...(perMinute.get(m) ?? []), t]);
    }
    const busiest = Math.max(...[...perMinute.values()].map((l) => l.length));
    expect(busiest).toBeGreaterThan(10 * (120 / 60)); // well above the mean of 2 a minute
    const fromBursts = tickets.filter((t) => t.burst);
    expect(fromBursts.length).toBeGreaterThan(tickets.length * 0.2);
    // within a busy minute, burst tickets share their category and zone
    const [minute] = [...perMinute.values()].sort((a, b) => b.length - a.length);
    const themes = new Set(
      minute.filter((t) => t.burst).map((t) => `${t.value.category}/${t.value.zone_id}`),
    );
    expect(themes.size).toBe(1);
    const urgent = (ts: BaseTicket[]) =>
      ts.filter((t) => t.value.priority === 'HIGH' || t.value.priority === 'URGENT').length /
      ts.length;
    expect(urgent(fromBursts)).toBeGreaterThan(urgent(tickets.filter((t) => !t.burst)));
  });

  it('estimates its mean rate, bursts included', () => {
    const o = { ticketsPerHour: 100, burstChancePerMinute: 0.004, burstFactor: 6 };
    const n = until(seq(4, o), MONDAY + 28 * DAY).length;
    const measured = n / ((28 * DAY) / 1000);
    expect(measured / meanTicketsPerSecond(o)).toBeGreaterThan(0.75);
    expect(measured / meanTicketsPerSecond(o)).toBeLessThan(1.25);
  });

  it('refuses a rate it cannot run', () => {
    expect(() => seq(1, { ticketsPerHour: 0 })).toThrow(RangeError);
    expect(() => seq(1, { burstFactor: 0.5 })).toThrow(RangeError);
  });
});
