/**
 * Runs work one at a time per key, in arrival order; different keys run concurrently. On a compute host
 * this is Zun's per-container lock (a stop cannot interleave with the delete that follows it) and the
 * per-volume lock of the volume drivers (a redelivered create waits for the first one and then finds the
 * volume made).
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier `run` of the same key has settled; resolves or rejects as `fn` does. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /**
   * Runs `fn` holding every key of `keys` (each once), taken one after another in sorted order, so two runs that
   * share several keys, named in any order, cannot wait for each other. No keys: `fn` runs at once.
   */
  runAll<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const from = (i: number): Promise<T> => {
      const key = sorted[i];
      return key === undefined ? fn() : this.run(key, () => from(i + 1));
    };
    return from(0);
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }

  /** Resolves once everything queued so far has settled. */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }
}
