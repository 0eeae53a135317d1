import { randomBytes } from 'node:crypto';

/** Bytes of id storage per entry of `maxEntries` (an event id is ~36 characters: a UUID). */
export const DEDUP_BYTES_PER_ENTRY = 48;

/**
 * Event ids seen in the last `ttlMs`, at most `maxEntries` of them (oldest evicted first).
 *
 * Limits, by design: the cache lives in one process. A duplicate carries the same key as its
 * original, so it lands on the same partition and, while partition ownership is stable, on the
 * same instance — but after a rebalance or a restart the new owner has not seen the original.
 * A duplicate older than the TTL, or pushed out by `maxEntries` under heavy load, also passes.
 * Downstream, the Spark job drops duplicate event ids within its watermark, so this cache is a
 * cheap first filter, not the guarantee.
 *
 * Layout, for speed and memory: every record asks `has` and every produced one is added. A JS
 * Map of half a million string keys cost about 2.5 µs per record (11 % of a drain profile) and
 * was half of the normalizer's live heap, which every major GC marks. Here nothing is a JS
 * object per id: a ring of the last additions in order (expiry, where the id's bytes are, their
 * length, its hash), the ids' bytes in a circular log (`maxEntries × 48` bytes; an id of more
 * than 48 bytes takes more, so fewer ids fit), and an open-addressing table (linear probing, at
 * most half full, hash and slot interleaved) from a seeded 32-bit hash of the id to its ring
 * slot. A lookup compares the stored bytes once the hash matches, so the answer is exact. Eviction takes the ring's head and deletes its table
 * entry by backward shift (no tombstones); an id added again gets a new slot, its table entry
 * points there, and its old slot is skipped when evicted.
 */
export class DedupCache {
  /** ring slots, in addition order: sequence numbers [head, next), slot = seq % maxEntries */
  private readonly expiries: Float64Array;
  /** where each slot's id starts in the log, as an ever-growing position (physical = % logBytes) */
  private readonly starts: Float64Array;
  private readonly lengths: Int32Array;
  /** each slot's id hash (eviction finds its table entry without hashing the stored bytes again) */
  private readonly ringHashes: Int32Array;
  private head = 0;
  private next = 0;
  /** the ids' bytes: one byte per UTF-16 unit below 0xff, three (0xff, high, low) otherwise */
  private readonly log: Uint8Array;
  private logEnd = 0;
  /**
   * open addressing, entry i at [2i, 2i + 1]: its hash (0 = empty) and ring slot + 1, side by side
   * so a probe touches one cache line
   */
  private readonly table: Int32Array;
  private readonly mask: number;
  private live = 0;
  /** per process, so ids cannot be crafted ahead to collide (long probe runs) */
  private readonly seed = randomBytes(4).readInt32LE(0);

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {
    if (!(ttlMs > 0) || !(maxEntries > 0)) throw new RangeError('ttlMs and maxEntries must be > 0');
    this.expiries = new Float64Array(maxEntries);
    this.starts = new Float64Array(maxEntries);
    this.lengths = new Int32Array(maxEntries);
    this.ringHashes = new Int32Array(maxEntries);
    this.log = new Uint8Array(Math.max(1024, maxEntries * DEDUP_BYTES_PER_ENTRY));
    let capacity = 16;
    while (capacity < maxEntries * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.table = new Int32Array(capacity * 2);
  }

  get size(): number {
    return this.live;
  }

  has(id: string, now: number): boolean {
    const i = this.find(id, this.hashOf(id));
    return i >= 0 && this.expiries[this.table[2 * i + 1] - 1] > now;
  }

  /** Remembers ids (after their records were safely produced) and evicts what is too old. */
  addAll(ids: Iterable<string>, now: number): void {
    this.evictExpired(now);
    const expiry = now + this.ttlMs;
    for (const id of ids) this.add(id, expiry);
  }

  private add(id: string, expiry: number): void {
    const length = encodedLength(id);
    if (length > this.log.length) return; // longer than the whole log: not remembered
    // the id's bytes are contiguous: skip the log's tail when they do not fit before its end
    let start = this.logEnd;
    if ((start % this.log.length) + length > this.log.length) {
      start += this.log.length - (start % this.log.length);
    }
    // make room: the oldest ids give up their slots and bytes
    if (this.next - this.head === this.maxEntries) this.evictHead();
    while (
      this.head < this.next &&
      start + length - this.starts[this.head % this.maxEntries] > this.log.length
    ) {
      this.evictHead();
    }
    const slot = this.next++ % this.maxEntries;
    this.expiries[slot] = expiry;
    this.starts[slot] = start;
    this.lengths[slot] = length;
    write(this.log, start % this.log.length, id);
    this.logEnd = start + length;
    const h = this.hashOf(id);
    this.ringHashes[slot] = h;
    const i = this.find(id, h);
    if (i >= 0) {
      this.table[2 * i + 1] = slot + 1; // added again: the table points at the newest slot
      return;
    }
    let j = h & this.mask;
    while (this.table[2 * j] !== 0) j = (j + 1) & this.mask;
    this.table[2 * j] = h;
    this.table[2 * j + 1] = slot + 1;
    this.live++;
  }

  /** The table index of `id`, or -1. */
  private find(id: string, h: number): number {
    const table = this.table;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const stored = table[2 * i];
      if (stored === 0) return -1;
      if (stored === h && this.holds(table[2 * i + 1] - 1, id)) return i;
    }
  }

  /** Whether ring slot `slot` holds `id`. */
  private holds(slot: number, id: string): boolean {
    const log = this.log;
    let p = this.starts[slot] % log.length;
    const end = p + this.lengths[slot];
    for (let k = 0; k < id.length; k++) {
      const c = id.charCodeAt(k);
      if (c < 0xff) {
        if (p >= end || log[p++] !== c) return false;
      } else if (
        p + 3 > end ||
        log[p] !== 0xff ||
        log[p + 1] !== c >> 8 ||
        log[p + 2] !== (c & 0xff)
      ) {
        return false;
      } else {
        p += 3;
      }
    }
    return p === end;
  }

  private evictExpired(now: number): void {
    while (this.head < this.next && this.expiries[this.head % this.maxEntries] <= now) {
      this.evictHead();
    }
  }

  private evictHead(): void {
    const slot = this.head % this.maxEntries;
    // the table entry pointing at this slot, found by the stored bytes' hash
    const i = this.findSlot(slot);
    if (i >= 0) this.remove(i);
    this.head++;
  }

  /** The table index whose entry points at ring slot `slot` (-1: the id was added again since). */
  private findSlot(slot: number): number {
    const h = this.ringHashes[slot];
    const table = this.table;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const stored = table[2 * i];
      if (stored === 0) return -1;
      if (stored === h && table[2 * i + 1] === slot + 1) return i;
    }
  }

  /** Deletes table entry `i` by shifting later entries of its probe run back (no tombstones). */
  private remove(i: number): void {
    const mask = this.mask;
    const table = this.table;
    let hole = i;
    for (let j = (i + 1) & mask; table[2 * j] !== 0; j = (j + 1) & mask) {
      const home = table[2 * j] & mask;
      // entry j may fill the hole when its home is not within (hole, j] (cyclically)
      const between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!between) {
        table[2 * hole] = table[2 * j];
        table[2 * hole + 1] = table[2 * j + 1];
        hole = j;
      }
    }
    table[2 * hole] = 0;
    table[2 * hole + 1] = 0;
    this.live--;
  }

  /** Seeded FNV-1a of the UTF-16 units with murmur3's final mix; never 0 (an empty entry). */
  private hashOf(id: string): number {
    let h = 0x811c9dc5 ^ this.seed;
    for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
    return finish(h);
  }
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h === 0 ? 1 : h;
}

function encodedLength(id: string): number {
  let n = id.length;
  for (let k = 0; k < id.length; k++) if (id.charCodeAt(k) >= 0xff) n += 2;
  return n;
}

function write(log: Uint8Array, p: number, id: string): void {
  for (let k = 0; k < id.length; k++) {
    const c = id.charCodeAt(k);
    if (c < 0xff) {
      log[p++] = c;
    } else {
      log[p++] = 0xff;
      log[p++] = c >> 8;
      log[p++] = c & 0xff;
    }
  }
}
