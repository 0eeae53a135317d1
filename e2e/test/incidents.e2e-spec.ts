/**
 * The incidents flow end to end on the real stack (`make up`): the sensor-generator's incident
 * reports (its own library, fixed seed) -> incidents.raw -> normalizer (incidents worker) ->
 * incidents.normalized -> Spark (incidents_zone_15m) -> agg.incidents.15m -> aggregation-sink ->
 * MongoDB + PostgreSQL, and Spark -> gold Parquet; compared with expected-streams.ts.
 */
import { loadCity } from '@citypulse/postgres';
import { IncidentModel, incidentWindows } from './expected-streams';
import { generatorRecords, streamCase } from './harness';

streamCase({
  stream: 'incidents',
  title:
    '1,500 incident reports with every fault become exactly the expected zone/severity windows, DLQ and late count',
  // 300 incidents per zone per simulated day (the default is 2): about two hours of a busy city,
  // several incidents of one severity in a zone's 15 minutes, so every alert level occurs
  records: () => generatorRecords('incidents', 1_500, { incidentsPerZonePerDay: 300 }),
  judge: () => {
    const model = new IncidentModel(loadCity(), Date.now());
    return (r) => model.judge(r);
  },
  expected: (onTime) => [{ spark: 'incidents_zone_15m', windows: incidentWindows(onTime) }],
});
