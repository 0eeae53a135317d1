import { SchemaRegistryError } from '@citypulse/contracts';
import {
  BackpressureSignal,
  brokerUnavailable,
  classifyError,
  DecodeError,
  errorClass,
  errorCode,
  errorMessage,
  InvalidRecordError,
  KafkaLibError,
  RetriesExhaustedError,
  TransientError,
} from './errors';

describe('error classification', () => {
  it('retries a registry that is down and stops on a registry that says no', () => {
    for (const status of [0, 408, 429, 503]) {
      const down = new SchemaRegistryError('registry', status, undefined);
      expect([status, classifyError(down), errorCode(down)]).toEqual([
        status,
        'retry',
        'REGISTRY_UNAVAILABLE',
      ]);
    }
    for (const status of [401, 409, 422]) {
      const no = new SchemaRegistryError('registry', status, status);
      expect([status, classifyError(no), errorCode(no)]).toEqual([
        status,
        'fatal',
        'REGISTRY_ERROR',
      ]);
    }
  });

  it('sends invalid and undecodable records to the DLQ', () => {
    expect(classifyError(new InvalidRecordError('bad'))).toBe('dlq');
    expect(classifyError(new DecodeError('UNKNOWN_SCHEMA', 'no id 9', { schemaId: 9 }))).toBe(
      'dlq',
    );
  });

  it('retries transient errors and kafkajs errors flagged retriable', () => {
    expect(classifyError(new TransientError('pg timeout', { code: 'SINK_TIMEOUT' }))).toBe('retry');
    const kafkajs = Object.assign(new Error('Connection error'), {
      name: 'KafkaJSConnectionError',
      retriable: true,
    });
    expect(classifyError(kafkajs)).toBe('retry');
    const nodeNet = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyError(nodeNet)).toBe('retry');
  });

  it('retries a broker that stayed away past kafkajs` own retries (it wraps the cause)', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
      name: 'KafkaJSConnectionError',
      retriable: true,
      code: 'ECONNREFUSED',
    });
    const gaveUp = Object.assign(new Error(refused.message), {
      name: 'KafkaJSNonRetriableError',
      retriable: false,
      cause: refused,
    });
    expect([brokerUnavailable(gaveUp), classifyError(gaveUp)]).toEqual([true, 'retry']);
    const exceeded = Object.assign(new Error('Request timed out'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      cause: Object.assign(new Error('Request Produce timed out'), {
        name: 'KafkaJSRequestTimeoutError',
        retriable: true,
      }),
    });
    expect(classifyError(exceeded)).toBe('retry');
    const notLeader = Object.assign(new Error('not the leader'), {
      name: 'KafkaJSProtocolError',
      retriable: true,
      type: 'NOT_LEADER_FOR_PARTITION',
    });
    expect(brokerUnavailable({ name: 'KafkaJSNonRetriableError', cause: notLeader })).toBe(true);
    // a refusal stays a refusal, wrapped or not
    const denied = Object.assign(new Error('SASL SCRAM-SHA-512 authentication failed'), {
      name: 'KafkaJSSASLAuthenticationError',
      retriable: false,
    });
    const wrapped = { name: 'KafkaJSNonRetriableError', retriable: false, cause: denied };
    expect([brokerUnavailable(wrapped), classifyError(wrapped)]).toEqual([false, 'fatal']);
    const loop: Record<string, unknown> = { name: 'KafkaJSNonRetriableError', retriable: false };
    loop.cause = loop;
    expect(brokerUnavailable(loop)).toBe(false);
  });

  it('treats non-retriable library and kafkajs errors as fatal', () => {
    expect(classifyError(new RetriesExhaustedError(5, new Error('x')))).toBe('fatal');
    expect(classifyError(new KafkaLibError('FATAL', 'boom'))).toBe('fatal');
    const kafkajs = Object.assign(new Error('Not authorized'), {
      name: 'KafkaJSProtocolError',
      retriable: false,
    });
    expect(classifyError(kafkajs)).toBe('fatal');
  });

  it('pauses on backpressure', () => {
    expect(classifyError(new BackpressureSignal(50))).toBe('backpressure');
  });

  it('follows the policy for errors nobody classified', () => {
    expect(classifyError(new TypeError('x is undefined'))).toBe('dlq');
    expect(classifyError(new TypeError('x'), 'fatal')).toBe('fatal');
    expect(classifyError('a string', 'retry')).toBe('retry');
  });

  it('carries code, retriable flag and cause', () => {
    const cause = new Error('socket hang up');
    const e = new TransientError('sink down', { code: 'SINK_UNAVAILABLE', cause });
    expect(e.code).toBe('SINK_UNAVAILABLE');
    expect(e.retriable).toBe(true);
    expect(e.cause).toBe(cause);
    expect(e.name).toBe('TransientError');
    expect(e).toBeInstanceOf(KafkaLibError);
  });

  it('labels errors for headers and metrics', () => {
    expect(errorCode(new InvalidRecordError('x'))).toBe('INVALID_RECORD');
    expect(errorCode(Object.assign(new Error('x'), { type: 'REBALANCE_IN_PROGRESS' }))).toBe(
      'REBALANCE_IN_PROGRESS',
    );
    expect(errorCode(new Error('x'))).toBe('HANDLER_ERROR');
    expect(errorClass(new InvalidRecordError('x'))).toBe('InvalidRecordError');
    expect(errorClass('s')).toBe('string');
    expect(errorMessage({ a: 1 })).toBe('{"a":1}');
    expect(new RetriesExhaustedError(3, new Error('down')).message).toBe(
      'gave up after 3 attempts: down',
    );
  });
});
