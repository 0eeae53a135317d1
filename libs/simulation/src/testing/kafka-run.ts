/**
 * For the simulated sources' integration tests: a bounded run with every fault, and what its
 * topics hold read back per partition against the generated sequence.
 */
import type { EventLike, SimRecord } from '../faults/records';

/** Flags of a run of `events` records at full speed from a fixed start, every fault on, dumped. */
export function faultyRunFlags(opts: {
  events: number;
  batchSize: number;
  dump: string;
}): string[] {
  return [
    ...['--events', String(opts.events), '--rate', 'max', '--seed', 'it'],
    ...['--start', '2024-01-08T06:00:00Z'],
    ...['--duplicates', '0.02', '--out-of-order', '0.03', '--late', '0.01', '--malformed', '0.02'],
    ...['--broken-avro', '0.01', '--messy-ids', '0.02'],
    ...['--batch-size', String(opts.batchSize), '--dump', opts.dump],
  ];
}

/** A record as a test's consumer read it. */
export interface ReceivedRecord {
  topic: string;
  partition: number;
  key: string;
  value: Buffer;
}

/** A record as sent: its key and the value (decoded) or the raw bytes of a broken-Avro fault. */
export type SentRecord = { key: string; value: unknown } | { key: string; bytes: Buffer };

/**
 * Per topic and partition, what it holds and what the run generated for it, in order (a key
 * always lands on one partition, so the two lists must be equal). `topicOf` names the topic an
 * expected record went to; `decode` reads an Avro value.
 */
export async function readBackByPartition<R extends SimRecord<EventLike, string>>(
  received: readonly ReceivedRecord[],
  expected: readonly R[],
  topicOf: (record: R) => string,
  decode: (value: Buffer) => Promise<unknown>,
): Promise<{ at: string; got: SentRecord[]; want: SentRecord[] }[]> {
  const byPartition = new Map<string, ReceivedRecord[]>();
  for (const r of received) {
    const at = `${r.topic}/${r.partition}`;
    byPartition.set(at, [...(byPartition.get(at) ?? []), r]);
  }
  const keyPartition = new Map<string, string>();
  for (const [at, rs] of byPartition)
    for (const r of rs) keyPartition.set(`${r.topic}/${r.key}`, at);
  const out: { at: string; got: SentRecord[]; want: SentRecord[] }[] = [];
  for (const [at, rs] of byPartition) {
    const want = expected.filter((e) => keyPartition.get(`${topicOf(e)}/${e.key}`) === at);
    const got: SentRecord[] = [];
    for (let i = 0; i < rs.length; i++) {
      const { key, value } = rs[i];
      got.push(
        want[i]?.kind === 'bytes' ? { key, bytes: value } : { key, value: await decode(value) },
      );
    }
    out.push({
      at,
      got,
      want: want.map((w) =>
        w.kind === 'bytes' ? { key: w.key, bytes: w.bytes } : { key: w.key, value: w.value },
      ),
    });
  }
  return out;
}
