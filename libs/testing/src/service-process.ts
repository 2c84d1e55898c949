import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-root';
import { tmpDir } from './tmp-dir';
import { sleep } from './wait-for';

const run = promisify(execFile);

/**
 * When a started service counts as ready:
 * - `{ log }`: a line of its output matches (the default, for the RPC services:
 *   the "service started" line, logged once registered and serving);
 * - `{ http }`: the URL answers with any HTTP status;
 * - `{ tcp }`: the port accepts connections;
 * - `{ probe }`: the function returns true;
 * - `'started'`: as soon as the process runs.
 */
export type ServiceReadiness =
  | { log: RegExp }
  | { http: string }
  | { tcp: { host?: string; port: number } }
  | { probe: () => boolean | Promise<boolean> }
  | 'started';

/** Options of {@link startService}. */
export interface StartServiceOptions {
  /** Name in messages (default: the app); also the log file's name. */
  name?: string;
  /** Default `{ log: /"msg":"service started"/ }`. */
  ready?: ServiceReadiness;
  /** How long start-up may take (default 60 s). */
  timeoutMs?: number;
  /** Added to the environment (which is the test's, with NODE_ENV=production). */
  env?: Record<string, string>;
  /** More arguments after `--config-file <zun.conf>`. */
  args?: string[];
  /**
   * Port of the service's metrics endpoint (`[metrics] <app>_port`). Without it the endpoint is off
   * (`--metrics.enabled=false`), so the services of tests never take the ports of the stack's own.
   */
  metricsPort?: number;
  /** Where zun.conf and the log go (default: a new temporary directory). */
  dir?: string;
  /** Skip the check that dist/ is up to date (default: check and build). */
  noBuild?: boolean;
  /** A script to run instead of dist/apps/<app>/main.js (no build then), e.g. a test fixture; a `.ts` one runs through tsx. */
  main?: string;
  /** Options of node itself, before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
}

/** How a service process ended. */
export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running service started by {@link startService}. */
export interface ServiceHandle {
  readonly app: string;
  readonly name: string;
  readonly pid: number;
  /** Its stdout and stderr (JSON log lines unless zun.conf sets log_dir/log_file). */
  readonly logFile: string;
  readonly confFile: string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ServiceExit>;
  running(): boolean;
  /** Sends a signal (default SIGKILL: a crash) and returns at once. */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then waits for the exit; SIGKILL after `timeoutMs` (default 30 s). */
  stop(timeoutMs?: number): Promise<ServiceExit>;
  /** Waits for an exit the service makes on its own; rejects with the log's tail after `timeoutMs`. */
  exitWithin(timeoutMs: number): Promise<ServiceExit>;
  /** The log so far. */
  log(): string;
  /** The JSON lines of the log so far, parsed (other lines are left out). */
  logRecords(): Record<string, unknown>[];
  /** The log's last `lines` lines, for failure messages. */
  logTail(lines?: number): string;
}

/** Whether a process with this pid exists (signal 0 reaches it). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

// A test process that dies (a failed assertion in before(), a timeout) must not
// leave its services running.
function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

function newestMtime(dir: string, skip: RegExp): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, skip));
    else if (entry.name.endsWith('.ts') && !skip.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The newest source an app's bundle is made of: its own src/ and every lib's src/ (inlined). */
function sourcesMtime(app: string): number {
  const root = repoRoot();
  const skip = /\.spec\.ts$/;
  let newest = newestMtime(join(root, 'apps', app, 'src'), skip);
  for (const lib of readdirSync(join(root, 'libs'))) newest = Math.max(newest, newestMtime(join(root, 'libs', lib, 'src'), skip));
  return Math.max(newest, statSync(join(root, 'tsconfig.base.json')).mtimeMs);
}

const builds = new Map<string, Promise<void>>();

/**
 * Makes sure `dist/apps/<app>/main.js` is newer than its sources, running
 * `node tools/build.mjs <app>` when it is not; checked once per app and process.
 */
export function ensureBuilt(app: string): Promise<void> {
  let pending = builds.get(app);
  if (!pending) {
    pending = (async () => {
      const root = repoRoot();
      if (!existsSync(join(root, 'apps', app, 'src', 'main.ts'))) throw new Error(`no app ${app}: apps/${app}/src/main.ts does not exist`);
      const main = join(root, 'dist', 'apps', app, 'main.js');
      if (existsSync(main) && statSync(main).mtimeMs >= sourcesMtime(app)) return;
      try {
        await run(process.execPath, ['tools/build.mjs', app], { cwd: root, timeout: 120_000 });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`node tools/build.mjs ${app} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    })();
    builds.set(app, pending);
    // a failed build is tried again by the next caller
    pending.catch(() => builds.delete(app));
  }
  return pending;
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function httpAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

function describeReadiness(ready: ServiceReadiness): string {
  if (ready === 'started') return 'process started';
  if ('log' in ready) return `log line matching ${String(ready.log)}`;
  if ('http' in ready) return `HTTP answer from ${ready.http}`;
  if ('tcp' in ready) return `connection to ${ready.tcp.host ?? '127.0.0.1'}:${ready.tcp.port}`;
  return 'probe returning true';
}

function jsonRecords(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut short by a crash, or not JSON after all
    }
  }
  return out;
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines - 1).join('\n');
}

/**
 * Where a started service's output goes: `<dir>/<name>.log`, or, when ZUN_TEST_LOG_ARCHIVE names a
 * directory, a file there named after `dir` and `name`, so the logs outlive the test's temporary
 * directories (`tools/stack test` scans them all for secrets after the run). The same `dir` and
 * `name` give the same file, so a restarted service appends to its log as before.
 */
export function serviceLogPath(dir: string, name: string): string {
  const archive = process.env['ZUN_TEST_LOG_ARCHIVE'];
  if (!archive) return join(dir, `${name}.log`);
  mkdirSync(archive, { recursive: true });
  const tag = createHash('sha256').update(dir).digest('hex').slice(0, 8);
  return join(archive, `${basename(dir)}-${tag}.${name}.log`);
}

/**
 * Starts `node dist/apps/<app>/main.js --config-file <dir>/zun.conf` with
 * `confText` as zun.conf (see `writeZunConf`), building the bundle first when
 * it is older than the sources, and resolves once the service is ready. If the
 * process exits or is not ready within the time limit, it is killed and the
 * promise rejects with the log's tail.
 */
export async function startService(app: string, confText: string, opts: StartServiceOptions = {}): Promise<ServiceHandle> {
  const name = opts.name ?? app;
  if (!opts.noBuild && !opts.main) await ensureBuilt(app);
  const main = opts.main ?? join(repoRoot(), 'dist', 'apps', app, 'main.js');
  const dir = opts.dir ?? tmpDir(`zun-${name}-`).path;
  const confFile = join(dir, `${name}.conf`);
  const logFile = serviceLogPath(dir, name);
  writeFileSync(confFile, confText, { mode: 0o600 });

  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  const script = main.endsWith('.ts') ? ['--import', 'tsx', main] : [main];
  try {
    const metrics = opts.metricsPort !== undefined ? ['--metrics.enabled=true', `--metrics.${app}_port=${opts.metricsPort}`] : ['--metrics.enabled=false'];
    child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...script, '--config-file', confFile, ...metrics, ...(opts.args ?? [])], {
      cwd: repoRoot(),
      stdio: ['ignore', fd, fd],
      env: { ...process.env, NODE_ENV: 'production', ...opts.env },
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new Error(`${name}: could not start node: ${error.message}`);
  }
  trackChild(child);
  let exit: ServiceExit | undefined;
  const exited = new Promise<ServiceExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const handle: ServiceHandle = {
    app,
    name,
    pid,
    logFile,
    confFile,
    exited,
    running: () => exit === undefined,
    kill: (signal = 'SIGKILL') => {
      if (exit === undefined) child.kill(signal);
    },
    stop: async (timeoutMs = 30_000) => {
      if (exit !== undefined) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    exitWithin: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} did not exit within ${timeoutMs} ms\n--- ${logFile} (last lines) ---\n${tail(log(), 40)}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    log,
    logRecords: () => jsonRecords(log()),
    logTail: (lines = 40) => tail(log(), lines),
  };

  const ready = opts.ready ?? { log: /"msg":"service started"/ };
  const check = async (): Promise<boolean> => {
    if (exit !== undefined) throw new Error(`${name} exited during start-up (code ${exit.code}, signal ${exit.signal})`);
    if (ready === 'started') return true;
    if ('log' in ready) return ready.log.test(log());
    if ('http' in ready) return httpAnswers(ready.http);
    if ('tcp' in ready) return tcpOpen(ready.tcp.host ?? '127.0.0.1', ready.tcp.port);
    return ready.probe();
  };
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      // an exit is final: stop polling at once rather than at the deadline
      if (await check()) return handle;
      if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms (${describeReadiness(ready)})`);
      await sleep(100);
    }
  } catch (err) {
    handle.kill('SIGKILL');
    await exited;
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`${name} did not start: ${reason}\n--- ${logFile} (last lines) ---\n${handle.logTail()}`);
  }
}
