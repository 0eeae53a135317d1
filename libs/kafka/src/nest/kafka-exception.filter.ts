import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { KafkaContext } from './kafka-context';

/**
 * Nest's default RPC filter turns every non-RpcException into `{status:'error', message:'Internal
 * server error'}`, which would hide InvalidRecordError / TransientError from the transport. This
 * filter lets errors from Kafka handlers through untouched (other transports keep the default).
 * KafkaTransportModule registers it globally.
 */
@Catch()
export class KafkaExceptionFilter extends BaseRpcExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (host.getArgByIndex(1) instanceof KafkaContext) return throwError(() => exception);
    return super.catch(exception, host) as Observable<never>;
  }
}
