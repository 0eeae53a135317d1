import { randomBytes, randomInt } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

/**
 * What a hostile or broken producer sends, for the tests of every consumer (random bytes, a frame
 * naming a schema the registry never had, deeply nested JSON, huge strings), and a heap probe to
 * check that a burst of them leaves nothing behind.
 */

/** `n` random bytes that are not a Confluent frame (the first byte is 0xff, not the magic 0). */
export function randomGarbage(n: number): Buffer {
  return Buffer.concat([Buffer.from([0xff]), randomBytes(Math.max(0, n - 1))]);
}

/** A Confluent frame (magic 0, 4-byte id) naming a schema id no registry here has, then random bytes. */
export function unknownSchemaFrame(bodyBytes = 64): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(2_000_000_000 + randomInt(100_000_000), 1);
  return Buffer.concat([header, randomBytes(bodyBytes)]);
}

/** JSON nested `depth` objects deep: `{"a":{"a":...null...}}` (a parser that recurses dies on it). */
export function nestedJson(depth: number): Buffer {
  return Buffer.from(`${'{"a":'.repeat(depth)}null${'}'.repeat(depth)}`);
}

/** A string of `n` characters, for a field of an otherwise valid record. */
export function hugeString(n: number): string {
  return 'x'.repeat(n);
}

let gc: (() => void) | undefined;

/**
 * This process's memory after a full garbage collection: the V8 heap in use plus the memory of
 * Buffers (arrayBuffers, outside the heap), and the RSS. Before/after a burst, the difference is
 * what the burst left behind.
 */
export function memoryAfterGc(): { retainedBytes: number; rssBytes: number } {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
  const m = process.memoryUsage();
  return { retainedBytes: m.heapUsed + m.arrayBuffers, rssBytes: m.rss };
}
