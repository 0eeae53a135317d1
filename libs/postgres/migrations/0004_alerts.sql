-- Alerts written by apps/alerting from its own alerts topic (schema alert.avsc in libs/contracts):
-- alert_events is the history (every FIRING and RESOLVED record, keyed by its event_id, so a
-- replay of the topic inserts nothing twice); alerts holds one row per alert (episode), open while
-- status = 'FIRING', with its acknowledgement. Columns are the contract's fields (snake_case = the
-- Avro names); timestamps are timestamptz from the contract's epoch millis. Enums are text without
-- a CHECK: a contract's enum may gain symbols. No foreign keys: an alert names a zone, sensor,
-- vehicle, line or incident that reference data may not know.

CREATE TABLE alert_events (
  event_id        text PRIMARY KEY,
  alert_id        text NOT NULL,
  status          text NOT NULL,
  alert_type      text NOT NULL,
  severity        text NOT NULL,
  rule            text NOT NULL,
  subject_id      text NOT NULL,
  zone_id         text,
  message         text NOT NULL,
  value           double precision,
  threshold       double precision,
  source_topic    text,
  source_event_id text,
  related_id      text,
  -- the event time of the reading that fired or resolved the alert
  event_time      timestamptz NOT NULL,
  fired_at        timestamptz,
  written_at      timestamptz NOT NULL DEFAULT now()
);
-- history of an alert, and history by zone and time (GET /alerts/history?zone=&from=&to=)
CREATE INDEX alert_events_alert_id ON alert_events (alert_id);
CREATE INDEX alert_events_zone_time ON alert_events (zone_id, event_time);
CREATE INDEX alert_events_time ON alert_events (event_time);

CREATE TABLE alerts (
  alert_id         text PRIMARY KEY,
  rule             text NOT NULL,
  alert_type       text NOT NULL,
  severity         text NOT NULL,
  subject_id       text NOT NULL,
  zone_id          text,
  -- FIRING while open; RESOLVED once (a replayed FIRING never reopens it)
  status           text NOT NULL,
  message          text NOT NULL,
  value            double precision,
  threshold        double precision,
  related_id       text,
  fired_at         timestamptz NOT NULL,
  resolved_at      timestamptz,
  fired_event_id   text NOT NULL,
  resolved_event_id text,
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- the open alerts (GET /alerts/open) without scanning the history
CREATE INDEX alerts_open ON alerts (fired_at) WHERE status = 'FIRING';
CREATE INDEX alerts_zone_fired ON alerts (zone_id, fired_at);
