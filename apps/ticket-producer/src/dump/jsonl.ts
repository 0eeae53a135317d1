import { fromJsonLine as parseLine, toJsonLine } from '@citypulse/simulation';
import { TICKET_NUMERIC_FIELDS, type TicketRecord } from '../tickets/ticket-faults';

export { toJsonLine };

/** The inverse of toJsonLine for the producer's dumps. */
export function fromJsonLine(line: string): TicketRecord {
  return parseLine<TicketRecord>(line, TICKET_NUMERIC_FIELDS);
}
