import Module from 'node:module';

/**
 * kafkajs 2.2.4 groups a send's messages per partition with `[...current, message]` inside a
 * reduce: quadratic in the messages per partition of one request (10,000 messages cost ~50M array
 * copies; it was a fifth of the CPU of a produce-heavy process). kafkajs is no longer released, so
 * this puts a linear version with the same output into the module cache before kafkajs loads it.
 * It must run before anything requires 'kafkajs' (index.ts imports it first); when kafkajs is
 * already loaded it does nothing, and everything still works, only slower.
 */
type Partitioner = (args: {
  topic: string;
  partitionMetadata: unknown[];
  message: unknown;
}) => number;

export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: Partitioner;
}): Record<number, unknown[]> {
  const result: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

export function patchKafkajs(): 'patched' | 'already-loaded' | 'unavailable' {
  let target: string;
  let sendMessages: string;
  try {
    target = require.resolve('kafkajs/src/producer/groupMessagesPerPartition');
    sendMessages = require.resolve('kafkajs/src/producer/sendMessages');
  } catch {
    return 'unavailable';
  }
  // Jest and other loaders keep their own registry: nothing to patch there.
  if (typeof require.cache !== 'object' || require.cache === null) return 'unavailable';
  if (require.cache[sendMessages])
    return require.cache[target]?.exports === groupMessagesPerPartition
      ? 'patched'
      : 'already-loaded';
  const m = new Module(target);
  m.filename = target;
  m.loaded = true;
  m.exports = groupMessagesPerPartition;
  require.cache[target] = m;
  return 'patched';
}

export const KAFKAJS_PATCH = patchKafkajs();
