/** How a batch went in one store: rows created, rows replaced by a newer version, and rows left
 * alone because the store already held that version or a newer one (replays and late updates). */
export interface WriteResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

export const EMPTY_RESULT: WriteResult = { inserted: 0, updated: 0, unchanged: 0 };
