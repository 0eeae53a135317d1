import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { AvroSchema } from '../serde/avro-serde';
import type { KafkaProducer, OutgoingRecord, TopicProducer } from '../producer/kafka-producer';

const OUTGOING = Symbol('citypulse-kafka-outgoing');

/** Wraps a value with a key/headers for `client.emit(topic, kafkaMessage({...}))`. */
export function kafkaMessage<T>(
  record: OutgoingRecord<T>,
): OutgoingRecord<T> & { [OUTGOING]: true } {
  return { ...record, [OUTGOING]: true };
}

function isOutgoing(v: unknown): v is OutgoingRecord {
  return typeof v === 'object' && v !== null && OUTGOING in v;
}

export interface KafkaProducerClientOptions {
  producer: KafkaProducer;
  /** Value schema per topic; a topic without one uses its subject's latest registered schema. */
  schemas?: Record<string, AvroSchema>;
}

/**
 * A NestJS ClientProxy over the batching Avro producer: `client.emit(topic, value)` completes once
 * the record is acknowledged. Request/response (`send`) is not offered over Kafka.
 */
export class KafkaProducerClient extends ClientProxy {
  private connecting: Promise<void> | undefined;
  private readonly topics = new Map<string, Promise<TopicProducer<unknown>>>();

  constructor(private readonly options: KafkaProducerClientOptions) {
    super();
  }

  connect(): Promise<void> {
    this.connecting ??= this.options.producer.connect().catch((e: unknown) => {
      this.connecting = undefined;
      throw e;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    if (!this.connecting) return;
    this.connecting = undefined;
    await this.options.producer.disconnect();
  }

  unwrap<T>(): T {
    return this.options.producer as T;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const topic =
      typeof packet.pattern === 'string' ? packet.pattern : JSON.stringify(packet.pattern);
    const record: OutgoingRecord = isOutgoing(packet.data) ? packet.data : { value: packet.data };
    const tp = await this.topicProducer(topic);
    await tp.send(record);
    return undefined as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({
      err: new Error('KafkaProducerClient supports emit() only (no request/response over Kafka)'),
      isDisposed: true,
    });
    return () => undefined;
  }

  private topicProducer(topic: string): Promise<TopicProducer<unknown>> {
    let tp = this.topics.get(topic);
    if (!tp) {
      const schema = this.options.schemas?.[topic];
      tp = this.options.producer.topic<unknown>(topic, schema === undefined ? {} : { schema });
      tp.catch(() => this.topics.delete(topic));
      this.topics.set(topic, tp);
    }
    return tp;
  }
}
