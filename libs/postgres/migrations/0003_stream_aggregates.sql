-- Windowed aggregates of the transport, incidents and tickets streams, written by
-- apps/aggregation-sink from the Spark job's aggregate topics (schemas agg-transport-10m.avsc,
-- agg-incidents-15m.avsc and agg-tickets-1m.avsc in libs/contracts). Each table is named like the
-- aggregate everywhere else (the sink's spec, its MongoDB collection and REST route, the Spark
-- job's gold table); its columns are the contract's fields (snake_case = the Avro names) except
-- event_time, which is window_end; its primary key is the topic's key (libs/contracts topics.json).
-- As in 0002: one row per key and window; the sink only replaces a row with a strictly newer
-- updated_at, so a replay changes nothing and an older update never overwrites a newer one; no
-- foreign keys, so an aggregate is never refused because reference data lags. Enums are text
-- without a CHECK: a contract's enum may gain symbols.
-- No other index: the sink's REST API reads a key's range of windows and the latest window of
-- every key (a skip scan), both served by the primary key.

CREATE TABLE transport_line_10m (
  line_id           text NOT NULL,
  window_start      timestamptz NOT NULL,
  window_end        timestamptz NOT NULL,
  line_name         text NOT NULL,
  -- negative when vehicles ran ahead of their timetable
  avg_delay_seconds double precision NOT NULL,
  avg_occupancy_pct double precision NOT NULL,
  active_vehicles   bigint NOT NULL,
  total_passengers  bigint NOT NULL,
  punctuality_score double precision NOT NULL,
  crowded_vehicles  bigint NOT NULL,
  readings          bigint NOT NULL,
  -- the version: when the job computed this update (epoch-millis precision)
  updated_at        timestamptz NOT NULL,
  -- the update's event id (key|updated_at), for tracing a row back to its record
  event_id          text NOT NULL,
  -- when the sink last wrote the row
  written_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (line_id, window_start),
  CHECK (window_end > window_start)
);

CREATE TABLE incidents_zone_15m (
  zone_id        text NOT NULL,
  severity       text NOT NULL,
  window_start   timestamptz NOT NULL,
  window_end     timestamptz NOT NULL,
  zone_name      text NOT NULL,
  incident_count bigint NOT NULL,
  alert_level    text NOT NULL,
  updated_at     timestamptz NOT NULL,
  event_id       text NOT NULL,
  written_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (zone_id, severity, window_start),
  CHECK (window_end > window_start)
);

CREATE TABLE tickets_priority_1m (
  priority     text NOT NULL,
  window_start timestamptz NOT NULL,
  window_end   timestamptz NOT NULL,
  ticket_count bigint NOT NULL,
  updated_at   timestamptz NOT NULL,
  event_id     text NOT NULL,
  written_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (priority, window_start),
  CHECK (window_end > window_start)
);
