/** How many rows a {@link RevisionMemo} keeps by default. */
export const REVISION_MEMO_ROWS = 5000;

interface Entry<T> {
  revision: number;
  row: T;
  /** Read since the eviction hand last passed it (the second chance of the clock). */
  used: boolean;
}

/** Freezes a decoded row and the JSON documents in it (plain objects and arrays; Dates are left as they are). */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

/**
 * Rows this process has decoded, by row id, with the revision they were read at (ADR 0024): a list that finds a
 * row at the revision it holds reuses the decoded object instead of reading and parsing it again. Bounded: past
 * `max` rows the oldest that was not read since the last pass goes (a clock, LRU-ish, no reordering on a hit).
 *
 * The rows are frozen and shared by every caller that gets them: nobody may mutate them.
 */
export class RevisionMemo<T extends object> {
  private readonly entries = new Map<number, Entry<T>>();

  constructor(readonly max: number = REVISION_MEMO_ROWS) {
    if (!(Number.isSafeInteger(max) && max > 0)) throw new RangeError(`RevisionMemo: max must be a positive integer, not ${max}`);
  }

  /** Rows held. */
  get size(): number {
    return this.entries.size;
  }

  /** The row decoded at exactly `revision`, or undefined (never read, evicted, or read at another revision). */
  get(id: number, revision: number): T | undefined {
    const e = this.entries.get(id);
    if (e === undefined || e.revision !== revision) return undefined;
    e.used = true;
    return e.row;
  }

  /** Keeps `row` (frozen, with its JSON documents) as the row `id` at `revision`, and returns it. */
  put(id: number, revision: number, row: T): Readonly<T> {
    const frozen = deepFreeze(row);
    const known = this.entries.get(id);
    if (known !== undefined) {
      known.revision = revision;
      known.row = frozen;
      known.used = true;
      return frozen;
    }
    // Born used: a new row gets one pass of the hand before it can go, so it is not the first to go itself.
    this.entries.set(id, { revision, row: frozen, used: true });
    while (this.entries.size > this.max) this.evictOne();
    return frozen;
  }

  /** Forgets the row (e.g. it was deleted). */
  delete(id: number): void {
    this.entries.delete(id);
  }

  /** Forgets every row. */
  clear(): void {
    this.entries.clear();
  }

  /** Removes the oldest entry not read since the hand last passed; those read go to the back with their flag cleared. */
  private evictOne(): void {
    for (;;) {
      const first = this.entries.entries().next();
      if (first.done) return;
      const [id, e] = first.value;
      this.entries.delete(id);
      if (!e.used) return;
      e.used = false;
      this.entries.set(id, e);
    }
  }
}
