import type { TrafficRejectReason } from './traffic-normalizer';

export const TRAFFIC_OUTPUT = Symbol('TRAFFIC_OUTPUT');
export const TRAFFIC_METRICS = Symbol('TRAFFIC_METRICS');

export interface TrafficMetrics {
  normalized(count: number): void;
  duplicates(count: number): void;
  rejected(reason: TrafficRejectReason): void;
}
