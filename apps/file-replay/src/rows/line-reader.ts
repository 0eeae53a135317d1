import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Line } from './rows';

/**
 * The lines of a file, numbered from 1, read synchronously in chunks (a file of any size, in
 * bounded memory; synchronous because a run takes its records one `next()` at a time). `\r\n`
 * and `\n` both end a line. Closing the generator early (`return()`) closes the file.
 */
export function* readLines(path: string, chunkBytes = 64 * 1024): Generator<Line> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(chunkBytes);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let line = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, chunkBytes, null);
      rest += n > 0 ? decoder.write(buf.subarray(0, n)) : decoder.end();
      let start = 0;
      for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n', start)) {
        yield { line: ++line, text: withoutCr(rest.slice(start, nl)) };
        start = nl + 1;
      }
      rest = rest.slice(start);
      if (n === 0) break;
    }
    if (rest.length > 0) yield { line: ++line, text: withoutCr(rest) };
  } finally {
    closeSync(fd);
  }
}

function withoutCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}
