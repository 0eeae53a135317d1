import type { SupportTicketRaw } from '@citypulse/contracts';
import type { FaultProfile, SimRecord } from '@citypulse/simulation';

/** Impossible tickets, each one the normalizer refuses. */
export const TICKET_MALFORMED_VARIANTS = [
  'unknown_zone',
  'far_future',
  'unknown_priority',
  'unknown_category',
  'unknown_channel',
] as const;
export type TicketMalformedVariant = (typeof TICKET_MALFORMED_VARIANTS)[number];

/** A ticket record as it goes to Kafka, with the faults it carries. */
export type TicketRecord = SimRecord<SupportTicketRaw, TicketMalformedVariant>;

export function corruptTicket(
  value: SupportTicketRaw,
  variant: TicketMalformedVariant,
): SupportTicketRaw {
  const v = { ...value };
  switch (variant) {
    case 'unknown_zone':
      v.zone_id = 'Z99';
      break;
    case 'far_future':
      v.event_time = value.event_time + 400 * 24 * 3_600_000;
      break;
    case 'unknown_priority':
      v.priority = 'UNKNOWN';
      break;
    case 'unknown_category':
      v.category = 'UNKNOWN';
      break;
    case 'unknown_channel':
      v.channel = 'UNKNOWN';
      break;
  }
  return v;
}

/** Tickets: keyed by ticket id; channels spell ticket and zone ids in any case, padded. */
export const TICKET_FAULTS: FaultProfile<SupportTicketRaw, TicketMalformedVariant> = {
  rngLabel: 'faults/tickets',
  keyOf: (v) => v.ticket_id.trim().toUpperCase(),
  messyFields: ['ticket_id', 'zone_id'],
  malformedVariants: TICKET_MALFORMED_VARIANTS,
  corrupt: corruptTicket,
};

/** The number fields of a ticket (a dump writes NaN as "NaN"). */
export const TICKET_NUMERIC_FIELDS = ['event_time'];
