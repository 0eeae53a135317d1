-- Windowed aggregates written by apps/aggregation-sink from the Spark job's aggregate topics
-- (schemas agg-traffic-5m.avsc and agg-mobility-5m.avsc in libs/contracts).
-- One row per key and window. The job emits a new update of a window with a higher updated_at
-- each time; the sink only replaces a row with a strictly newer updated_at, so a replay changes
-- nothing and an older update never overwrites a newer one.
-- No foreign key to zones: an aggregate must never be refused because reference data lags.

CREATE TABLE traffic_window_aggregates (
  zone_id            text NOT NULL,
  window_start       timestamptz NOT NULL,
  window_end         timestamptz NOT NULL,
  zone_name          text NOT NULL,
  avg_speed_kmh      double precision NOT NULL,
  min_speed_kmh      double precision NOT NULL,
  max_speed_kmh      double precision NOT NULL,
  total_vehicle_flow bigint NOT NULL,
  avg_occupancy_pct  double precision NOT NULL,
  congestion_score   double precision NOT NULL,
  readings           bigint NOT NULL,
  -- the version: when the job computed this update (epoch-millis precision)
  updated_at         timestamptz NOT NULL,
  -- the update's event id (key|updated_at), for tracing a row back to its record
  event_id           text NOT NULL,
  -- when the sink last wrote the row
  written_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (zone_id, window_start),
  CHECK (window_end > window_start)
);
CREATE INDEX traffic_window_aggregates_window_start_idx
  ON traffic_window_aggregates (window_start DESC);

CREATE TABLE mobility_index (
  window_start      timestamptz PRIMARY KEY,
  window_end        timestamptz NOT NULL,
  avg_speed_kmh     double precision NOT NULL,
  avg_occupancy_pct double precision NOT NULL,
  mobility_index    double precision NOT NULL,
  category          text NOT NULL,
  zones             integer NOT NULL,
  readings          bigint NOT NULL,
  updated_at        timestamptz NOT NULL,
  event_id          text NOT NULL,
  written_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (window_end > window_start)
);
