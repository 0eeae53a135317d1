/**
 * The tickets flow end to end on the real stack (`make up`): the ticket-producer's tickets (its
 * own library, fixed seed) -> tickets.raw -> normalizer (tickets worker) -> tickets.normalized ->
 * Spark (tickets_priority_1m) -> agg.tickets.1m -> aggregation-sink -> MongoDB + PostgreSQL, and
 * Spark -> gold Parquet; compared with expected-streams.ts.
 */
import { loadCity } from '@citypulse/postgres';
import { generateTickets } from '@citypulse/ticket-producer';
import { TicketModel, ticketWindows } from './expected-streams';
import { FAULTS, START, streamCase } from './harness';

streamCase({
  stream: 'tickets',
  title:
    '2,000 tickets with every fault become exactly the expected priority windows, DLQ and late count',
  // 1,200 tickets per simulated hour (the default is 240): about 90 minutes of 1-minute windows;
  // twice the others' share of late tickets, as the last half hour's are released on time
  records: () => [
    ...generateTickets(
      {
        seed: 'citypulse-e2e-tickets',
        city: loadCity(),
        startTime: START,
        model: { ticketsPerHour: 1_200 },
        faults: { ...FAULTS, late: 0.01 },
      },
      2_000,
    ),
  ],
  judge: () => {
    const model = new TicketModel(loadCity(), Date.now());
    return (r) => model.judge(r);
  },
  expected: (onTime) => [{ spark: 'tickets_priority_1m', windows: ticketWindows(onTime) }],
});
