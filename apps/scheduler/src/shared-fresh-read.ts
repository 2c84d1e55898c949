/**
 * One read shared by the callers that are waiting for it, never older than any of them: a caller gets the read that
 * starts after it asked. While a read runs, every new caller waits for the next one, which starts when the running
 * one ends; so at most one read runs and one is queued, however many callers there are. A failed read fails the
 * callers that shared it, and the next caller starts a new one.
 */
export class SharedFreshRead<T> {
  private running: Promise<T> | null = null;
  private queued: Promise<T> | null = null;
  /** Reads started so far (for metrics and tests). */
  reads = 0;

  constructor(private readonly load: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.queued) return this.queued;
    if (!this.running) return this.begin();
    const previous = this.running;
    const queued = previous.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      this.queued = null;
      return this.begin();
    });
    this.queued = queued;
    return queued;
  }

  private begin(): Promise<T> {
    this.reads++;
    const read: Promise<T> = this.load().finally(() => {
      if (this.running === read) this.running = null;
    });
    this.running = read;
    return read;
  }
}
