import cluster from 'node:cluster';
import { type Logger } from '@zun-ts/common';
import { errorMessage } from './errors';

/** The part of `process` that signal handling uses; tests pass a fake. */
export interface SignalProcess {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  removeListener(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

export interface ShutdownOptions {
  /** How long `stop` may take before the process exits anyway (with status 1). @default 30000 (ms) */
  timeoutMs?: number;
  /**
   * @default ['SIGTERM', 'SIGINT']; only SIGTERM in a cluster worker, whose
   * primary turns SIGINT (a terminal's Ctrl-C reaches the whole process group)
   * into one SIGTERM per worker.
   */
  signals?: NodeJS.Signals[];
  /** @default process */
  proc?: SignalProcess;
}

/**
 * On the first SIGTERM/SIGINT run `stop` (bounded by `timeoutMs`) and exit 0, or 1
 * if it failed or overran; a second signal exits at once with status 1 (the
 * operator insists). Returns a function that removes the handlers.
 */
export function onShutdownSignals(stop: () => Promise<void>, logger: Logger, opts: ShutdownOptions = {}): () => void {
  const proc: SignalProcess = opts.proc ?? process;
  const signals = opts.signals ?? (cluster.isWorker ? ['SIGTERM'] : ['SIGTERM', 'SIGINT']);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let stopping = false;
  let exited = false;
  let timer: NodeJS.Timeout | undefined;
  const exit = (code: number): void => {
    if (exited) return;
    exited = true;
    clearTimeout(timer);
    proc.exit(code);
  };
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal, exiting at once', { signal });
      exit(1);
      return;
    }
    stopping = true;
    logger.info('stopping', { signal, timeoutMs });
    timer = setTimeout(() => {
      logger.error('stop did not finish in time, exiting', { timeoutMs });
      exit(1);
    }, timeoutMs);
    stop().then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (err: unknown) => {
        logger.error('stop failed', { error: errorMessage(err) });
        exit(1);
      },
    );
  };
  for (const s of signals) proc.on(s, handler);
  return () => {
    for (const s of signals) proc.removeListener(s, handler);
  };
}
