import { STREAM_DEFINITIONS, STREAM_NAMES, dlqTopic } from '@citypulse/contracts';
import { contractTopicSpecs } from './ensure-topics';

describe('contractTopicSpecs', () => {
  it('lists every contract topic with its DLQ and partitions', () => {
    const specs = contractTopicSpecs();
    expect(specs).toHaveLength(STREAM_NAMES.length * 2);
    const raw = STREAM_DEFINITIONS.trafficRaw;
    expect(specs).toContainEqual({ topic: raw.topic, partitions: raw.partitions });
    expect(specs).toContainEqual({ topic: dlqTopic(raw.topic), partitions: raw.partitions });
  });

  it('can leave the DLQs out', () => {
    expect(contractTopicSpecs(['trafficRaw'], { dlq: false })).toEqual([
      {
        topic: STREAM_DEFINITIONS.trafficRaw.topic,
        partitions: STREAM_DEFINITIONS.trafficRaw.partitions,
      },
    ]);
  });
});
