import { cityReference } from '../../reference/city-reference';
import type { LineDirectory } from '../../reference/directories';
import type { StreamDefinition } from '../../runtime/stream-definition';
import {
  normalizeTransport,
  TRANSPORT_REFERENCE_MISSES,
  TRANSPORT_REJECT_REASONS,
  type TransportRejectReason,
} from './transport-normalizer';

/** Vehicle positions and loads: transportRaw -> transportNormalized, enriched from transport_lines. */
export const transportStream = {
  name: 'transport',
  raw: 'transportRaw',
  normalized: 'transportNormalized',
  reference: cityReference,
  rejectReasons: TRANSPORT_REJECT_REASONS,
  referenceMisses: TRANSPORT_REFERENCE_MISSES,
  normalize: normalizeTransport,
} satisfies StreamDefinition<
  'transportRaw',
  'transportNormalized',
  LineDirectory,
  TransportRejectReason
>;
