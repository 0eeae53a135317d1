import {
  TicketCategory,
  TicketChannel,
  TicketPriority,
  type SupportTicketRaw,
} from '@citypulse/contracts';
import { farFuture, faultProfile, type SimRecord } from '@citypulse/simulation';

/** Tickets: keyed by ticket id; channels spell ticket and zone ids in any case, padded. */
export const TICKET_FAULTS = faultProfile({
  rngLabel: 'faults/tickets',
  keyOf: (v: SupportTicketRaw) => v.ticket_id.trim().toUpperCase(),
  messyFields: ['ticket_id', 'zone_id'],
  corruptions: {
    unknown_zone: () => ({ zone_id: 'Z99' }),
    far_future: farFuture,
    unknown_priority: () => ({ priority: TicketPriority.UNKNOWN }),
    unknown_category: () => ({ category: TicketCategory.UNKNOWN }),
    unknown_channel: () => ({ channel: TicketChannel.UNKNOWN }),
  },
});

/** Impossible tickets, each one the normalizer refuses. */
export const TICKET_MALFORMED_VARIANTS = TICKET_FAULTS.malformedVariants;
export type TicketMalformedVariant = (typeof TICKET_MALFORMED_VARIANTS)[number];

/** A ticket record as it goes to Kafka, with the faults it carries. */
export type TicketRecord = SimRecord<SupportTicketRaw, TicketMalformedVariant>;

export const corruptTicket = TICKET_FAULTS.corrupt;

/** The number fields of a ticket (a dump writes NaN as "NaN"). */
export const TICKET_NUMERIC_FIELDS = ['event_time'];
