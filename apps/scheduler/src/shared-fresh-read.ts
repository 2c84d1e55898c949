/** A read not started yet, and its callers' promise. */
interface Pending<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function pending<T>(): Pending<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * One read shared by the callers that are waiting for it, never older than any of them: a caller gets the read that
 * starts after it asked. A read starts on `setImmediate`, not in the caller's turn, so that every request of one turn
 * of the event loop shares it even when the load finishes synchronously (SQLite: a read started at once would end
 * before the next request arrives, and every request would read alone). While a read runs, new callers wait for the
 * next one, which starts after the running one ends; so at most one read runs and one is queued, however many callers
 * there are. A failed read fails the callers that shared it, and the next caller starts a new one.
 */
export class SharedFreshRead<T> {
  private running = false;
  private next: Pending<T> | null = null;
  /** Reads started so far (for metrics and tests). */
  reads = 0;

  constructor(private readonly load: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.next) return this.next.promise;
    const next = pending<T>();
    this.next = next;
    if (!this.running) setImmediate(() => this.start());
    return next.promise;
  }

  private start(): void {
    const callers = this.next;
    if (!callers || this.running) return;
    this.next = null;
    this.running = true;
    this.reads++;
    let read: Promise<T>;
    try {
      read = this.load();
    } catch (err) {
      read = Promise.reject(err);
    }
    read.then(
      (value) => {
        this.ended();
        callers.resolve(value);
      },
      (err: unknown) => {
        this.ended();
        callers.reject(err);
      },
    );
  }

  /** Before the callers hear of it: one that asks again on hearing it gets a read of its own. */
  private ended(): void {
    this.running = false;
    // Callers that came during the read share the next one.
    if (this.next) setImmediate(() => this.start());
  }
}
