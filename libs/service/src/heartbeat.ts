import { type Logger } from '@zun-ts/common';
import { sleep } from './backoff';
import { errorMessage } from './errors';

/**
 * Calls `beat` every `intervalMs`, one beat at a time. A failed beat is logged
 * and the next one runs on the next tick: a registry outage must never take the
 * service down, it only makes it look down until the registry is back.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private running = false;
  private failures = 0;
  /** Beats that completed without error. */
  succeeded = 0;
  /** Beats that threw. */
  failed = 0;

  /**
   * @param intervalMs - time between beats (ms)
   * @param stopGraceMs - how long stop() waits for a beat in flight (ms); a beat
   *   stuck on an unreachable registry must not hold up shutdown. @default 2000
   */
  constructor(
    private readonly beat: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly stopGraceMs = 2000,
  ) {}

  /** First beat after one interval (registration has just stamped the row's heartbeat). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.intervalMs);
  }

  /** No further beats; waits (at most `stopGraceMs`) for a beat in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.inFlight) return;
    const grace = new AbortController();
    await Promise.race([this.inFlight, sleep(this.stopGraceMs, grace.signal)]);
    grace.abort();
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inFlight = this.tick().finally(() => {
        this.inFlight = null;
      });
    }, ms);
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    try {
      await this.beat();
      this.succeeded++;
      if (this.failures > 0) this.logger.info('heartbeat restored', { failedBeats: this.failures });
      this.failures = 0;
    } catch (err) {
      this.failed++;
      this.failures++;
      this.logger.warn('heartbeat failed, retrying next interval', { error: errorMessage(err), failedBeats: this.failures });
    }
    // Fixed rate, not fixed delay: a slow beat does not stretch the interval.
    this.schedule(Math.max(0, this.intervalMs - (Date.now() - started)));
  }
}
