import type { SupportTicketRaw } from '@citypulse/contracts';
import type { CityDefinition } from '@citypulse/postgres';
import { FaultInjector, type FaultOptions } from '@citypulse/simulation';
import { TICKET_FAULTS, type TicketMalformedVariant, type TicketRecord } from './ticket-faults';
import { TicketSequence, type TicketModelOptions } from './ticket-model';

export interface TicketGenerationOptions {
  seed: string | number;
  /** the city whose zones tickets name */
  city: CityDefinition;
  /** the simulated clock's start, epoch millis (the first ticket comes after it) */
  startTime: number;
  model?: Partial<TicketModelOptions>;
  faults?: Partial<FaultOptions>;
}

/** The clean tickets with their fault injector: what a run sends, record by record. */
export function createTicketInjector(
  options: TicketGenerationOptions,
): FaultInjector<SupportTicketRaw, TicketMalformedVariant> {
  return new FaultInjector(
    new TicketSequence(options.seed, options.city, options.startTime, options.model ?? {}),
    options.seed,
    options.faults ?? {},
    TICKET_FAULTS,
  );
}

/**
 * Exactly the records a run bounded to `count` events sends with the same options, in the same
 * order (pacing never changes what is generated).
 */
export function* generateTickets(
  options: TicketGenerationOptions,
  count: number,
): Generator<TicketRecord> {
  const injector = createTicketInjector(options);
  for (let sent = 0; sent < count; sent++) yield injector.next(count - sent);
}
