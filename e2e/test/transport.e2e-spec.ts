/**
 * The transport flow end to end on the real stack (`make up`): the sensor-generator's vehicle
 * statuses (its own library, fixed seed) -> transport.raw -> normalizer (transport worker) ->
 * transport.normalized -> Spark (transport_line_10m) -> agg.transport.10m -> aggregation-sink ->
 * MongoDB + PostgreSQL, and Spark -> gold Parquet; compared with expected-streams.ts.
 */
import { loadCity } from '@citypulse/postgres';
import { TransportModel, transportWindows } from './expected-streams';
import { generatorRecords, streamCase } from './harness';

streamCase({
  stream: 'transport',
  title:
    '2,000 vehicle statuses with every fault become exactly the expected line windows, DLQ and late count',
  // every vehicle of the city reports every 2 simulated minutes: 73 minutes, 7-8 windows per line
  records: () => generatorRecords('transport', 2_000),
  judge: () => {
    const model = new TransportModel(loadCity(), Date.now());
    return (r) => model.judge(r);
  },
  expected: (onTime) => [{ spark: 'transport_line_10m', windows: transportWindows(onTime) }],
});
