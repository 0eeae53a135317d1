/** The producer as a library: the exact ticket sequence of a run, for tests and tools. */
export {
  createTicketInjector,
  generateTickets,
  type TicketGenerationOptions,
} from './tickets/generate';
export {
  DEFAULT_TICKET_MODEL,
  TicketSequence,
  isOfficeHours,
  meanTicketsPerSecond,
  ticketDemand,
  type BaseTicket,
  type TicketModelOptions,
} from './tickets/ticket-model';
export {
  TICKET_FAULTS,
  TICKET_MALFORMED_VARIANTS,
  corruptTicket,
  type TicketMalformedVariant,
  type TicketRecord,
} from './tickets/ticket-faults';
export { fromJsonLine, toJsonLine } from './dump/jsonl';
export { planRun, describePlan, type RunPlan } from './run/plan';
