import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { GeneratedRecord } from '../faults/fault-injector';
import type { RecordSink } from '../run/generator-runner';
import { toJsonLine } from './jsonl';

/** Writes every sent record as one JSON line, in send order (see jsonl.ts for the format). */
export class JsonlDumpSink implements RecordSink {
  private readonly out: WriteStream;

  constructor(path: string) {
    this.out = createWriteStream(path, { encoding: 'utf8' });
  }

  async send(records: readonly GeneratedRecord[]): Promise<void> {
    let chunk = '';
    for (const r of records) chunk += `${toJsonLine(r)}\n`;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
