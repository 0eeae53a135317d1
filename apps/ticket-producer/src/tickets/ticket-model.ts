import {
  TicketCategory,
  TicketChannel,
  TicketPriority,
  type SupportTicketRaw,
} from '@citypulse/contracts';
import type { CityDefinition, CityZone } from '@citypulse/postgres';
import { Prng, type CleanSource } from '@citypulse/simulation';

type Category = Exclude<TicketCategory, 'UNKNOWN'>;
type Channel = Exclude<TicketChannel, 'UNKNOWN'>;
type Priority = Exclude<TicketPriority, 'UNKNOWN'>;

export const SOURCE = 'ticket-producer';
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const PRIORITIES: readonly Priority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];

/** What the tickets are about outside bursts, as weights. */
const CATEGORY_WEIGHTS: [Category, number][] = [
  [TicketCategory.TRAFFIC, 18],
  [TicketCategory.TRANSPORT, 18],
  [TicketCategory.INFRASTRUCTURE, 15],
  [TicketCategory.SAFETY, 7],
  [TicketCategory.NOISE, 10],
  [TicketCategory.WASTE, 12],
  [TicketCategory.BILLING, 12],
  [TicketCategory.OTHER, 8],
];

/** Priority weights (LOW, MEDIUM, HIGH, URGENT) by category. */
const PRIORITY_WEIGHTS: Record<Category, [number, number, number, number]> = {
  TRAFFIC: [30, 40, 22, 8],
  TRANSPORT: [30, 45, 20, 5],
  INFRASTRUCTURE: [30, 40, 22, 8],
  SAFETY: [10, 30, 40, 20],
  NOISE: [50, 35, 12, 3],
  WASTE: [45, 40, 12, 3],
  BILLING: [50, 40, 9, 1],
  OTHER: [55, 35, 8, 2],
};

/** How likely a ticket of a category names a zone. */
const ZONE_SHARE: Record<Category, number> = {
  TRAFFIC: 0.9,
  TRANSPORT: 0.8,
  INFRASTRUCTURE: 0.9,
  SAFETY: 0.85,
  NOISE: 0.9,
  WASTE: 0.85,
  BILLING: 0.05,
  OTHER: 0.3,
};

/** Channels in office hours (weekdays 8-18, counters open) and outside them. */
const CHANNELS_OPEN: [Channel, number][] = [
  ['PHONE', 22],
  ['EMAIL', 15],
  ['WEB', 23],
  ['APP', 28],
  ['SOCIAL', 8],
  ['IN_PERSON', 4],
];
const CHANNELS_CLOSED: [Channel, number][] = [
  ['PHONE', 10],
  ['EMAIL', 15],
  ['WEB', 30],
  ['APP', 38],
  ['SOCIAL', 7],
];
/** In a burst people call and post. */
const CHANNELS_BURST: [Channel, number][] = [
  ['PHONE', 30],
  ['WEB', 15],
  ['APP', 35],
  ['SOCIAL', 20],
];

const SUBJECTS: Record<Category, readonly string[]> = {
  TRAFFIC: [
    'Traffic light out of order in {zone}',
    'Constant congestion in {zone}',
    'Dangerous crossing in {zone}',
    'Illegal parking blocking the road in {zone}',
  ],
  TRANSPORT: [
    'Bus late again in {zone}',
    'Tram overcrowded through {zone}',
    'Missed connection in {zone}',
    'Ticket machine broken in {zone}',
  ],
  INFRASTRUCTURE: [
    'Pothole in {zone}',
    'Street light out in {zone}',
    'Broken pavement in {zone}',
    'Water leak in the street in {zone}',
  ],
  SAFETY: ['Unsafe construction site in {zone}', 'Fallen tree in {zone}', 'Gas smell in {zone}'],
  NOISE: ['Night-time noise in {zone}', 'Construction noise in {zone}'],
  WASTE: [
    'Missed bin collection in {zone}',
    'Illegal dumping in {zone}',
    'Overflowing bins in {zone}',
  ],
  BILLING: [
    'Charged twice for a transit pass',
    'Refund not received',
    'Question about a parking fine',
  ],
  OTHER: ['General question', 'Suggestion for the city', 'Feedback on the website'],
};

/** What a burst is about: an outage many people report at once. */
const BURST_THEMES: { category: Category; subject: string; zoned: boolean }[] = [
  { category: 'TRANSPORT', subject: 'Line disrupted in {zone}', zoned: true },
  { category: 'TRAFFIC', subject: 'Traffic lights out across {zone}', zoned: true },
  { category: 'INFRASTRUCTURE', subject: 'Power outage in {zone}', zoned: true },
  { category: 'INFRASTRUCTURE', subject: 'Water main burst in {zone}', zoned: true },
  { category: 'SAFETY', subject: 'Smoke and fire seen in {zone}', zoned: true },
  { category: 'BILLING', subject: 'Transit app charged everyone twice', zoned: false },
];

export interface TicketModelOptions {
  /** mean tickets per simulated hour outside bursts, over a week (office hours get more) */
  ticketsPerHour: number;
  /** chance per simulated minute that a burst starts (at an average hour; more by day) */
  burstChancePerMinute: number;
  /** tickets come this many times faster during a burst (each burst 0.6-1.4x of it) */
  burstFactor: number;
}

export const DEFAULT_TICKET_MODEL: TicketModelOptions = {
  ticketsPerHour: 240,
  burstChancePerMinute: 0.003,
  burstFactor: 8,
};

interface Burst {
  /** ends at this event time */
  until: number;
  factor: number;
  category: Category;
  subject: string;
  zone: CityZone | null;
}

/**
 * How many tickets come at a time of day, relative to the weekly mean (1): few at night,
 * most in the morning office hours, a second hump in the afternoon, fewer on weekends.
 */
export function ticketDemand(eventTime: number): number {
  return rawDemand(eventTime) / weeklyMean();
}

function rawDemand(t: number): number {
  const hour = (((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const day = new Date(t).getUTCDay();
  const weekend = day === 0 || day === 6;
  const awake = 1 / (1 + Math.exp(-(hour - 7.5) * 1.4)) - 1 / (1 + Math.exp(-(hour - 21.5) * 1.2));
  const humps = 0.9 + 0.5 * bump(hour, 10.5, 1.8) + 0.35 * bump(hour, 15, 1.5);
  return 0.12 + awake * humps * (weekend ? 0.55 : 1);
}

function bump(x: number, centre: number, width: number): number {
  return Math.exp(-((x - centre) ** 2) / (2 * width * width));
}

let mean: number | undefined;
function weeklyMean(): number {
  if (mean === undefined) {
    let sum = 0;
    const monday = Date.UTC(2024, 0, 8);
    for (let q = 0; q < 7 * 96; q++) sum += rawDemand(monday + q * 15 * MINUTE_MS);
    mean = sum / (7 * 96);
  }
  return mean;
}

/** Office hours: weekdays 8-18 (counters and phone lines staffed). */
export function isOfficeHours(t: number): boolean {
  const hour = (((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const day = new Date(t).getUTCDay();
  return day !== 0 && day !== 6 && hour >= 8 && hour < 18;
}

/** Tickets per simulated second on average, bursts included (for the run's timing). */
export function meanTicketsPerSecond(o: TicketModelOptions): number {
  // A burst lasts 17.5 min on average; while one runs, tickets come burstFactor times faster.
  const inBurst = Math.min(1, o.burstChancePerMinute * 17.5);
  return (o.ticketsPerHour / 3_600) * (1 + inBurst * (o.burstFactor - 1));
}

/** One clean ticket, with whether a burst brought it (for tests, never sent). */
export interface BaseTicket {
  value: SupportTicketRaw;
  burst: boolean;
}

/**
 * Citizen support tickets as they are opened, deterministic for a seed: arrivals are a Poisson
 * process whose rate follows the time of day (ticketDemand) and jumps during bursts — an outage
 * that many people report at once, about one theme and one zone, with higher priorities, more
 * phone calls and social posts. Each simulated minute may start a burst (5-30 minutes long).
 * Tickets name a zone of the city when their category is about a place.
 */
export class TicketSequence implements CleanSource<SupportTicketRaw> {
  private readonly rng: Prng;
  private readonly ids: Prng;
  private readonly zones: readonly CityZone[];
  private readonly o: TicketModelOptions;
  /** exact time of the next arrival (fractional ms), computed ahead */
  private nextAt: number;
  private t: number;
  private rolledMinute = -Infinity;
  private burst: Burst | undefined;

  constructor(
    seed: string | number,
    city: CityDefinition,
    startTime: number,
    options: Partial<TicketModelOptions> = {},
  ) {
    this.o = { ...DEFAULT_TICKET_MODEL, ...options };
    if (!(this.o.ticketsPerHour > 0)) throw new RangeError('tickets per hour must be > 0');
    if (!(this.o.burstFactor >= 1)) throw new RangeError('the burst factor must be >= 1');
    if (city.zones.length === 0) throw new Error('the city has no zones');
    this.rng = Prng.derive(seed, 'tickets');
    this.ids = Prng.derive(seed, 'tickets/ids');
    this.zones = city.zones;
    this.t = startTime;
    this.nextAt = this.arrival();
  }

  peekTime(): number {
    return Math.floor(this.nextAt);
  }

  next(): BaseTicket {
    const at = this.nextAt;
    const burst = this.burst && this.burst.until > at ? this.burst : undefined;
    const fromBurst = burst !== undefined && this.rng.chance(1 - 1 / burst.factor);
    const value = fromBurst ? this.burstTicket(at, burst) : this.ticket(at);
    this.nextAt = this.arrival();
    return { value, burst: fromBurst };
  }

  /** Walks the simulated minutes from the last arrival to the next one. */
  private arrival(): number {
    let need = -Math.log(1 - this.rng.next()); // Exp(1) exposure to the next arrival
    for (;;) {
      const minute = Math.floor(this.t / MINUTE_MS);
      if (minute !== this.rolledMinute) {
        this.rollBurst(minute);
        this.rolledMinute = minute;
      }
      const end = (minute + 1) * MINUTE_MS;
      const perMs = this.rateAt(minute);
      const have = perMs * (end - this.t);
      if (have >= need) {
        this.t += need / perMs;
        return this.t;
      }
      need -= have;
      this.t = end;
    }
  }

  /** Tickets per ms during a minute. */
  private rateAt(minute: number): number {
    const at = minute * MINUTE_MS;
    const burst = this.burst && this.burst.until > at ? this.burst.factor : 1;
    return (this.o.ticketsPerHour / HOUR_MS) * ticketDemand(at + MINUTE_MS / 2) * burst;
  }

  private rollBurst(minute: number): void {
    const at = minute * MINUTE_MS;
    if (this.burst && this.burst.until > at) return;
    const p = this.o.burstChancePerMinute * Math.min(1.5, ticketDemand(at));
    if (!this.rng.chance(p)) return;
    const theme = this.rng.pick(BURST_THEMES);
    const zone = theme.zoned ? this.rng.pick(this.zones) : null;
    this.burst = {
      until: at + this.rng.int(5, 30) * MINUTE_MS,
      factor: Math.max(1, this.o.burstFactor * this.rng.uniform(0.6, 1.4)),
      category: theme.category,
      subject: theme.subject,
      zone,
    };
  }

  private ticket(at: number): SupportTicketRaw {
    const category = weighted(this.rng, CATEGORY_WEIGHTS);
    const priority = weighted(
      this.rng,
      PRIORITIES.map((p, i): [Priority, number] => [p, PRIORITY_WEIGHTS[category][i]]),
    );
    const channel = weighted(this.rng, isOfficeHours(at) ? CHANNELS_OPEN : CHANNELS_CLOSED);
    const zone = this.rng.chance(ZONE_SHARE[category]) ? this.rng.pick(this.zones) : null;
    const subject = this.rng.pick(SUBJECTS[category]);
    return this.value(at, priority, category, channel, zone, subject);
  }

  private burstTicket(at: number, burst: Burst): SupportTicketRaw {
    let priority = weighted(
      this.rng,
      PRIORITIES.map((p, i): [Priority, number] => [p, PRIORITY_WEIGHTS[burst.category][i]]),
    );
    // Everyone affected at once: a report in a burst is more pressing.
    if (this.rng.chance(0.4)) priority = PRIORITIES[Math.min(3, PRIORITIES.indexOf(priority) + 1)];
    const channel = weighted(this.rng, CHANNELS_BURST);
    return this.value(at, priority, burst.category, channel, burst.zone, burst.subject);
  }

  private value(
    at: number,
    priority: Priority,
    category: Category,
    channel: Channel,
    zone: CityZone | null,
    subject: string,
  ): SupportTicketRaw {
    return {
      event_id: this.ids.uuid(),
      event_time: Math.floor(at),
      ticket_id: `TCK-${this.ids.uuid().replace(/-/g, '').slice(0, 10).toUpperCase()}`,
      priority,
      category,
      channel,
      zone_id: zone?.id ?? null,
      subject: subject.replace('{zone}', zone?.name ?? 'the city'),
      source: SOURCE,
    };
  }
}

function weighted<T>(rng: Prng, options: readonly [T, number][]): T {
  const total = options.reduce((s, [, w]) => s + w, 0);
  let r = rng.uniform(0, total);
  for (const [v, w] of options) if ((r -= w) < 0) return v;
  return options[options.length - 1][0];
}
