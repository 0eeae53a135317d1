-- Windowed aggregates written by apps/aggregation-sink from the Spark job's aggregate topics.
-- One row per key and window; `version` grows with every update the job emits for a window, and
-- the sink only ever replaces a row with a strictly higher version (a replay changes nothing).
-- No foreign key to zones: an aggregate must never be refused because reference data lags.

CREATE TABLE IF NOT EXISTS traffic_window_aggregates (
  zone_id            text NOT NULL,
  window_start       timestamptz NOT NULL,
  window_end         timestamptz NOT NULL,
  zone_name          text,
  avg_speed_kmh      double precision,
  min_speed_kmh      double precision,
  max_speed_kmh      double precision,
  total_vehicle_flow bigint NOT NULL,
  avg_occupancy_pct  double precision,
  congestion_score   double precision,
  readings           bigint NOT NULL,
  version            bigint NOT NULL,
  -- when the job produced this version (event of the aggregate record)
  updated_at         timestamptz NOT NULL,
  -- when the sink last wrote the row
  written_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (zone_id, window_start),
  CHECK (window_end > window_start)
);
CREATE INDEX IF NOT EXISTS traffic_window_aggregates_window_start_idx
  ON traffic_window_aggregates (window_start DESC);

CREATE TABLE IF NOT EXISTS mobility_index (
  window_start      timestamptz PRIMARY KEY,
  window_end        timestamptz NOT NULL,
  avg_speed_kmh     double precision,
  avg_occupancy_pct double precision,
  index_value       double precision NOT NULL,
  category          text NOT NULL,
  readings          bigint,
  version           bigint NOT NULL,
  updated_at        timestamptz NOT NULL,
  written_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (window_end > window_start)
);
