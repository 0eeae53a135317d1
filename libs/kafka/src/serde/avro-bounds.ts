import * as avro from 'avsc';

/**
 * Keeps decoding an Avro record linear in its bytes, whatever the bytes say.
 *
 * avsc reads (and skips, for a writer field the reader lacks) an array or map block by looping once
 * per item the block's count announces, and checks that the buffer was long enough only at the
 * end. A count such as 2^52 in a record of a few bytes therefore loops for days (and a negative
 * block size in a skipped block moves the position back, for ever). Two guards close that:
 *
 * - `boundedTypeHook` makes every array and map of a parsed type one whose read and skip stop as soon as the
 *   position is past the end of the buffer (the record is invalid then anyway: the position never
 *   moves back with these guards, and avsc returns offset -1 for it as before) and refuse a negative
 *   block size. An item that takes at least one byte thus bounds the loop by the record's size.
 * - `unsafeForDecoding` names an array of a writer schema whose items can take zero bytes (null, a record
 *   without fields, a fixed of size 0, or made only of such): no position check can bound that loop,
 *   so such a writer schema is refused (AvroSerde: UNKNOWN_SCHEMA).
 *
 * A map's entries always take a byte at least (the key's length), so maps need only the first guard.
 */

interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
  skipString(): void;
}

interface ArrayLike {
  itemsType: { _read(tap: Tap): unknown; _skip(tap: Tap): void };
}

interface MapLike {
  valuesType: { _read(tap: Tap): unknown; _skip(tap: Tap): void };
}

/** Marks the tap invalid (past its end), as avsc's own readers do on a bad length. */
function invalidate(tap: Tap): void {
  tap.pos = tap.buf.length + 1;
}

/** A block's size in bytes after a negative count: refused when negative or past the end. */
function blockBytes(tap: Tap): number | undefined {
  const len = tap.readLong();
  if (len < 0 || tap.pos + len > tap.buf.length) return undefined;
  return len;
}

/**
 * Reads a sequence of blocks (an array's or a map's), `readItem` once per item, stopping as soon as
 * the position is past the end of the buffer (the tap is then invalid, as avsc marks it).
 */
function readBlocks(tap: Tap, readItem: () => void): void {
  let n: number;
  while ((n = tap.readLong())) {
    if (n < 0) {
      n = -n;
      tap.skipLong(); // the block's size in bytes
    }
    while (n--) {
      if (tap.pos > tap.buf.length) return invalidate(tap);
      readItem();
    }
  }
}

/** Skips a sequence of blocks: a sized block at once (refused when its size is negative or past the end). */
function skipBlocks(tap: Tap, skipItem: () => void): void {
  let n: number;
  while ((n = tap.readLong())) {
    if (n < 0) {
      const len = blockBytes(tap);
      if (len === undefined) return invalidate(tap);
      tap.pos += len;
      continue;
    }
    while (n--) {
      if (tap.pos > tap.buf.length) return invalidate(tap);
      skipItem();
    }
  }
}

function readArray(this: ArrayLike, tap: Tap): unknown[] {
  const items = this.itemsType;
  const val: unknown[] = [];
  readBlocks(tap, () => void val.push(items._read(tap)));
  return val;
}

function skipArray(this: ArrayLike, tap: Tap): void {
  const items = this.itemsType;
  skipBlocks(tap, () => items._skip(tap));
}

function readMap(this: MapLike, tap: Tap): Record<string, unknown> {
  const values = this.valuesType;
  const val: Record<string, unknown> = {};
  readBlocks(tap, () => {
    const key = tap.readString();
    val[key] = values._read(tap);
  });
  return val;
}

function skipMap(this: MapLike, tap: Tap): void {
  const values = this.valuesType;
  skipBlocks(tap, () => {
    tap.skipString();
    values._skip(tap);
  });
}

/** The types directly inside a type (record fields, items, values, union branches, a logical type's base). */
function children(t: avro.Type): avro.Type[] {
  if (t instanceof avro.types.RecordType) return t.fields.map((f) => f.type);
  if (t instanceof avro.types.ArrayType) return [t.itemsType];
  if (t instanceof avro.types.MapType) return [t.valuesType as avro.Type];
  if (t instanceof avro.types.UnwrappedUnionType || t instanceof avro.types.WrappedUnionType)
    return t.types;
  if (t instanceof avro.types.LogicalType) return [t.underlyingType];
  return [];
}

/** avsc's array with the bounded read and skip above (avsc freezes its types: a subclass, not a patch). */
class BoundedArrayType extends avro.types.ArrayType {}
/** avsc's map with the bounded read and skip above. */
class BoundedMapType extends avro.types.MapType {}
Object.defineProperties(BoundedArrayType.prototype, {
  _read: { value: readArray },
  _skip: { value: skipArray },
});
Object.defineProperties(BoundedMapType.prototype, {
  _read: { value: readMap },
  _skip: { value: skipMap },
});

type TypeHook = NonNullable<Partial<avro.ForSchemaOptions>['typeHook']>;

/**
 * An avsc `typeHook` that makes every array and map a bounded one (after `next`, a caller's own
 * hook, which wins). avsc's array and map resolvers take their reader type's `_read`, so a reader
 * parsed with it reads a writer's blocks bounded too.
 */
export function boundedTypeHook(next?: TypeHook): TypeHook {
  const logicalSeen = new WeakSet<object>();
  return (schema, opts) => {
    const own = next?.(schema, opts);
    if (own) return own;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
    const s = schema as { type?: unknown; logicalType?: unknown };
    if (s.type !== 'array' && s.type !== 'map') return undefined;
    const logical =
      typeof s.logicalType === 'string' ? opts.logicalTypes?.[s.logicalType] : undefined;
    if (logical && !logicalSeen.has(schema)) {
      // the logical type is built first; its constructor asks for its base with the same schema
      logicalSeen.add(schema);
      return undefined;
    }
    return s.type === 'array'
      ? new BoundedArrayType(schema, opts)
      : new BoundedMapType(schema, opts);
  };
}

/**
 * Whether a value of `t` can take zero bytes: null, a fixed of size 0, a record of only such
 * fields (a logical type as its base). Anything else takes a byte at least.
 */
function canBeEmpty(t: avro.Type, onPath: Set<avro.Type>): boolean {
  if (t instanceof avro.types.NullType) return true;
  if (t instanceof avro.types.FixedType) return t.size === 0;
  if (t instanceof avro.types.LogicalType) return canBeEmpty(t.underlyingType, onPath);
  if (t instanceof avro.types.RecordType) {
    // a record that contains itself other than through an array, map or union cannot be encoded
    if (onPath.has(t)) return false;
    onPath.add(t);
    try {
      return t.fields.every((f) => canBeEmpty(f.type, onPath));
    } finally {
      onPath.delete(t);
    }
  }
  return false; // numbers, booleans, strings, bytes, enums, arrays, maps, unions: a byte at least
}

/**
 * Why `type` is unsafe to decode bytes with, or undefined when it is safe: an array whose items can
 * take zero bytes (e.g. `.lanes[]: null`), or an array or map not bounded by `boundedTypeHook` (a
 * type not made with it, or a caller's hook that made its own).
 */
export function unsafeForDecoding(type: avro.Type): string | undefined {
  const seen = new Set<avro.Type>();
  const stack: Array<{ t: avro.Type; path: string }> = [{ t: type, path: '' }];
  for (let e = stack.pop(); e; e = stack.pop()) {
    const { t, path } = e;
    if (seen.has(t)) continue;
    seen.add(t);
    const where = path || '(value)';
    if (t instanceof avro.types.ArrayType) {
      if (canBeEmpty(t.itemsType, new Set())) {
        return `its array ${where}[] has items that can be encoded in zero bytes (${describe(t.itemsType)}), so a record's block count alone could keep the decoder looping without reading input`;
      }
      if (!(t instanceof BoundedArrayType)) return `its array ${where} is not bounded`;
      stack.push({ t: t.itemsType, path: `${path}[]` });
    } else if (t instanceof avro.types.MapType) {
      if (!(t instanceof BoundedMapType)) return `its map ${where} is not bounded`;
      stack.push({ t: t.valuesType as avro.Type, path: `${path}{}` });
    } else if (t instanceof avro.types.RecordType) {
      for (const f of t.fields) stack.push({ t: f.type, path: `${path}.${f.name}` });
    } else {
      for (const c of children(t)) stack.push({ t: c, path });
    }
  }
  return undefined;
}

function describe(t: avro.Type): string {
  if (t instanceof avro.types.FixedType) return `fixed of size ${t.size}`;
  if (t instanceof avro.types.RecordType)
    return `record ${t.name ?? ''} of zero-byte fields`.trim();
  return t.typeName;
}
