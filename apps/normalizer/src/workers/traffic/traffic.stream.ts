import { cityReference } from '../../reference/city-reference';
import type { SensorDirectory } from '../../reference/directories';
import type { StreamDefinition } from '../../runtime/stream-definition';
import {
  normalizeTraffic,
  TRAFFIC_REFERENCE_MISSES,
  TRAFFIC_REJECT_REASONS,
  type TrafficRejectReason,
} from './traffic-normalizer';

/** Traffic sensor readings: trafficRaw -> trafficNormalized, enriched from zones and sensors. */
export const trafficStream = {
  name: 'traffic',
  raw: 'trafficRaw',
  normalized: 'trafficNormalized',
  reference: cityReference,
  rejectReasons: TRAFFIC_REJECT_REASONS,
  referenceMisses: TRAFFIC_REFERENCE_MISSES,
  normalize: normalizeTraffic,
} satisfies StreamDefinition<
  'trafficRaw',
  'trafficNormalized',
  SensorDirectory,
  TrafficRejectReason
>;
