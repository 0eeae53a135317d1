import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { SimRecord } from '../faults/records';
import type { RecordSink } from '../run/runner';
import { toJsonLine } from './jsonl';

/** Writes every sent record as one JSON line, in send order (see jsonl.ts for the format). */
export class JsonlDumpSink<R extends SimRecord<unknown> & object> implements RecordSink<R> {
  private readonly out: WriteStream;

  constructor(path: string) {
    this.out = createWriteStream(path, { encoding: 'utf8' });
  }

  async send(records: readonly R[]): Promise<void> {
    let chunk = '';
    for (const r of records) chunk += `${toJsonLine(r)}\n`;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
