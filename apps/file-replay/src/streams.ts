import { contractOf, type StreamContract, type ValueOf } from '@citypulse/contracts';
import { INCIDENT_FAULTS, TRAFFIC_FAULTS, TRANSPORT_FAULTS } from '@citypulse/sensor-generator';
import { TICKET_FAULTS } from '@citypulse/ticket-producer';
import type { RowContract } from './rows/rows';

/** The raw streams a file can be replayed into, by their sources' names. */
export const REPLAY_STREAMS = ['traffic', 'transport', 'incidents', 'tickets'] as const;
export type ReplayStream = (typeof REPLAY_STREAMS)[number];

const CONTRACTS = {
  traffic: 'trafficRaw',
  transport: 'transportRaw',
  incidents: 'incidentsRaw',
  tickets: 'ticketsRaw',
} as const;

type RawStreamName = (typeof CONTRACTS)[ReplayStream];

/** Each stream's records are keyed as its simulated source keys them (its fault profile's key). */
const KEYS: { [S in ReplayStream]: (value: ValueOf<(typeof CONTRACTS)[S]>) => string } = {
  traffic: TRAFFIC_FAULTS.keyOf,
  transport: TRANSPORT_FAULTS.keyOf,
  incidents: INCIDENT_FAULTS.keyOf,
  tickets: TICKET_FAULTS.keyOf,
};

/** A stream's raw contract (topic, DLQ, schema, partitions) and what its rows are checked against. */
export function replayContract(stream: ReplayStream): {
  contract: StreamContract<RawStreamName>;
  rows: RowContract<ValueOf<RawStreamName>>;
} {
  const contract = contractOf(CONTRACTS[stream]);
  const keyOf = KEYS[stream] as (value: ValueOf<RawStreamName>) => string;
  return { contract, rows: { schema: contract.schema, type: contract.type, keyOf } };
}
