import { cityReference } from '../../reference/city-reference';
import type { ZoneDirectory } from '../../reference/directories';
import type { StreamDefinition } from '../../runtime/stream-definition';
import {
  normalizeTicket,
  TICKET_REFERENCE_MISSES,
  TICKET_REJECT_REASONS,
  type TicketRejectReason,
} from './ticket-normalizer';

/** Citizen support tickets: ticketsRaw -> ticketsNormalized, the optional zone checked and named. */
export const ticketsStream = {
  name: 'tickets',
  raw: 'ticketsRaw',
  normalized: 'ticketsNormalized',
  reference: cityReference,
  rejectReasons: TICKET_REJECT_REASONS,
  referenceMisses: TICKET_REFERENCE_MISSES,
  normalize: normalizeTicket,
} satisfies StreamDefinition<'ticketsRaw', 'ticketsNormalized', ZoneDirectory, TicketRejectReason>;
