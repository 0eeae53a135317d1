import { BaseRpcContext } from '@nestjs/microservices';
import type { InvalidRecordError } from '../errors';
import type { BatchHandlerContext, HandlerContext, KafkaRecord } from '../consumer/types';

/**
 * What `@Ctx()` gives a handler of the Kafka batch transport. In batch mode `reject` and
 * `backpressure` are available; in record mode they throw (throw InvalidRecordError /
 * BackpressureSignal from the handler instead).
 */
export class KafkaContext extends BaseRpcContext<[HandlerContext | BatchHandlerContext]> {
  constructor(private readonly inner: HandlerContext | BatchHandlerContext) {
    super([inner]);
  }

  get topic(): string {
    return this.inner.topic;
  }

  get partition(): number {
    return this.inner.partition;
  }

  get attempt(): number {
    return this.inner.attempt;
  }

  heartbeat(): Promise<void> {
    return this.inner.heartbeat();
  }

  reject(record: KafkaRecord, error: InvalidRecordError): void {
    if (!('reject' in this.inner))
      throw new Error('reject() is for batch handlers; throw InvalidRecordError instead');
    this.inner.reject(record, error);
  }

  backpressure(resumeAfterMs?: number): void {
    if (!('backpressure' in this.inner))
      throw new Error('backpressure() is for batch handlers; throw BackpressureSignal instead');
    this.inner.backpressure(resumeAfterMs);
  }
}
