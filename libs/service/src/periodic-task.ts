import { type ServiceIdentifier } from 'inversify';
import { type Logger } from '@zun-ts/common';

/**
 * Runs `fn` at start and then `intervalMs` after each run ends (runs never overlap, so a slow run
 * delays the next instead of piling up). A failing run is logged; the next one still comes.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly fn: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  /** Runs it now (unless a run is in flight, which is then awaited) and resolves when done. */
  async runNow(): Promise<void> {
    if (this.running) return this.running;
    const run = (async () => {
      const started = Date.now();
      try {
        await this.fn();
        this.logger.debug('periodic task done', { task: this.name, ms: Date.now() - started });
      } catch (err) {
        this.logger.warn('periodic task failed', { task: this.name, error: (err as Error).message });
      }
    })();
    this.running = run;
    try {
      await run;
    } finally {
      this.running = null;
    }
  }

  private tick(): void {
    void this.runNow().then(() => {
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.intervalMs);
    });
  }

  /** No more runs; resolves once a run in flight has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}

/** Injection token of a service's periodic tasks (bound once per task; started and stopped with the service). */
export const PERIODIC_TASK: ServiceIdentifier<PeriodicTask> = Symbol.for('zun.PeriodicTask');
