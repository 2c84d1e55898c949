import cluster, { type Worker } from 'node:cluster';
import { type Logger } from '@zun-ts/common';
import { backoffDelay } from './backoff';
import { errorMessage } from './errors';

/**
 * Decides how long to wait before replacing a dead worker: at once-ish when
 * workers die rarely, backing off while they die young (a crash loop, e.g. a
 * dependency that is down) so the host is not burnt on forks.
 */
export class RespawnGuard {
  private youngDeaths = 0;

  constructor(
    private readonly opts: {
      /** A worker that lived less than this died young. @default 10000 (ms) */
      minUptimeMs?: number;
      /** Delay after a death that is not part of a crash loop. @default 100 (ms) */
      baseDelayMs?: number;
      /** Longest wait between respawns. @default 30000 (ms) */
      maxDelayMs?: number;
    } = {},
  ) {}

  /** Record a death after `livedMs` of uptime; returns the delay (ms) before the replacement. */
  nextDelay(livedMs: number): number {
    const base = this.opts.baseDelayMs ?? 100;
    if (livedMs >= (this.opts.minUptimeMs ?? 10_000)) {
      this.youngDeaths = 0;
      return base;
    }
    this.youngDeaths++;
    return Math.max(base, backoffDelay(this.youngDeaths - 1, { initialMs: 1000, maxMs: this.opts.maxDelayMs ?? 30_000, jitter: 0 }));
  }
}

export interface LaunchOptions {
  /** After a signal, how long workers may take to exit before they are killed. @default 60000 (ms) */
  stopTimeoutMs?: number;
  guard?: RespawnGuard;
}

/**
 * Run `worker` in `count` processes (node:cluster), like oslo's process launcher.
 * With `count` ≤ 1 the worker runs in this process. The primary replaces a worker
 * that dies unexpectedly, turns SIGTERM/SIGINT into a SIGTERM to each worker and exits 0 once
 * all of them have exited. In each worker, `worker()` failing exits it with status 1.
 */
export function launchWorkers(count: number, worker: () => Promise<void>, logger: Logger, opts: LaunchOptions = {}): void {
  if (count <= 1 || !cluster.isPrimary) {
    if (cluster.isWorker) {
      // The primary forwards a SIGTERM for every stop; a Ctrl-C reaching the whole
      // process group must not count as a second, "exit at once" signal here.
      process.on('SIGINT', () => logger.debug('SIGINT ignored in worker; the primary forwards SIGTERM'));
    }
    worker().catch((err: unknown) => {
      logger.error('worker failed to start', { error: errorMessage(err) });
      process.exit(1);
    });
    return;
  }
  runPrimary(count, logger, opts);
}

function runPrimary(count: number, logger: Logger, opts: LaunchOptions): void {
  // Workers accept their connections themselves from the shared socket. With the default (round-robin) the primary
  // accepts and hands each connection over: one handed to a worker as it is killed stayed open in the primary,
  // unanswered, until the client gave up. Now a dead worker takes only the connections it had accepted (the
  // client sees them reset at once), and those still waiting go to the workers that are alive.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const guard = opts.guard ?? new RespawnGuard();
  const startedAt = new Map<number, number>(); // worker id → fork time
  const respawns = new Set<NodeJS.Timeout>();
  let stopping = false;

  const fork = (): void => {
    const w = cluster.fork();
    startedAt.set(w.id, Date.now());
    logger.info('worker started', { workerPid: w.process.pid });
  };
  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  const exitWhenAllGone = (): void => {
    if (live().length === 0) {
      logger.info('all workers exited');
      process.exit(0);
    }
  };

  cluster.on('exit', (w, code, signal) => {
    const lived = Date.now() - (startedAt.get(w.id) ?? Date.now());
    startedAt.delete(w.id);
    if (stopping) {
      logger.info('worker exited', { workerPid: w.process.pid, code, signal });
      exitWhenAllGone();
      return;
    }
    const delayMs = guard.nextDelay(lived);
    logger.warn('worker died, replacing it', { workerPid: w.process.pid, code, signal, livedMs: lived, delayMs });
    const t = setTimeout(() => {
      respawns.delete(t);
      if (!stopping) fork();
    }, delayMs);
    respawns.add(t);
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal, killing workers', { signal });
      for (const w of live()) w.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    for (const t of respawns) clearTimeout(t);
    respawns.clear();
    const workers = live();
    logger.info('stopping workers', { signal, workers: workers.length });
    for (const w of workers) w.process.kill('SIGTERM');
    const timeoutMs = opts.stopTimeoutMs ?? 60_000;
    setTimeout(() => {
      const left = live();
      logger.error('workers did not exit in time, killing them', { workers: left.length, timeoutMs });
      for (const w of left) w.process.kill('SIGKILL');
      process.exit(1);
    }, timeoutMs).unref();
    exitWhenAllGone();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  logger.info('starting workers', { count });
  for (let i = 0; i < count; i++) fork();
}
