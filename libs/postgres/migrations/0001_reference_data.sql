-- Reference data the normalizer enriches readings with. Rows come from reference/city.json
-- (upserted by the migration runner's seed step), so this file only defines the shape.

CREATE TABLE zones (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  kind            text NOT NULL,
  speed_limit_kmh integer NOT NULL CHECK (speed_limit_kmh > 0),
  -- vehicles per hour over all lanes
  capacity        integer NOT NULL CHECK (capacity > 0),
  lanes           integer NOT NULL CHECK (lanes > 0),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sensors (
  id         text PRIMARY KEY,
  zone_id    text NOT NULL REFERENCES zones (id),
  -- the speed unit the sensor reports in; the normalizer converts to km/h
  unit       text NOT NULL CHECK (unit IN ('kmh', 'mph')),
  lanes      integer NOT NULL CHECK (lanes > 0),
  active     boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sensors_zone_id_idx ON sensors (zone_id);

CREATE TABLE transport_lines (
  id               text PRIMARY KEY,
  name             text NOT NULL,
  mode             text NOT NULL,
  -- passengers per vehicle
  vehicle_capacity integer NOT NULL CHECK (vehicle_capacity > 0),
  vehicles         integer NOT NULL CHECK (vehicles >= 0),
  zone_ids         text[] NOT NULL DEFAULT '{}',
  updated_at       timestamptz NOT NULL DEFAULT now()
);
