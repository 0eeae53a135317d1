import {
  hugeString,
  memoryAfterGc,
  nestedJson,
  randomGarbage,
  unknownSchemaFrame,
} from './hostile';

describe('hostile payloads', () => {
  it('are what they say', () => {
    const g = randomGarbage(100);
    expect(g.length).toBe(100);
    expect(g[0]).toBe(0xff);
    const f = unknownSchemaFrame(10);
    expect(f.length).toBe(15);
    expect(f[0]).toBe(0);
    expect(f.readInt32BE(1)).toBeGreaterThanOrEqual(2_000_000_000);
    expect(nestedJson(3).toString()).toBe('{"a":{"a":{"a":null}}}');
    expect(hugeString(5)).toBe('xxxxx');
  });

  it('measures what a burst leaves behind after a full GC', () => {
    const before = memoryAfterGc();
    let kept: Buffer[] | undefined = Array.from({ length: 8 }, () => Buffer.alloc(4 * 1024 * 1024));
    const holding = memoryAfterGc();
    expect(holding.retainedBytes - before.retainedBytes).toBeGreaterThan(30 * 1024 * 1024);
    expect(kept.length).toBe(8);
    kept = undefined;
    const after = memoryAfterGc();
    expect(after.retainedBytes - before.retainedBytes).toBeLessThan(4 * 1024 * 1024);
  });
});
