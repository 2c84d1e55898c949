import 'reflect-metadata';
import { createServer, type RequestListener, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Logger, silentLogger } from '@zun-ts/common';
import { loadConfig, type ZunConf } from '@zun-ts/config';
import { type ServiceStore } from '../api.tokens';
import { type ApiOverrides, createApiApp } from '../main';
import { parsePasteConfig } from '../pipeline/paste-config';
import { FakeServiceStore } from './fake-service.store';

/** A configuration from command-line style flags only (no files, no environment). */
export function testConf(flags: string[] = []): ZunConf {
  return loadConfig(flags, { env: {}, warn: () => {} });
}

/** A running HTTP server on a free loopback port. */
export interface TestServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function listen(handler: RequestListener): Promise<TestServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestApiOptions {
  /** zun.conf flags, e.g. `--api.auth_strategy=noauth`. @default noauth */
  flags?: string[];
  services?: ServiceStore;
  overrides?: ApiOverrides;
  /** api-paste.ini text instead of the built-in pipelines. */
  paste?: string;
  logger?: Logger;
}

/** The whole API app (pipeline and routes) on a free port. */
export async function startTestApi(opts: TestApiOptions = {}): Promise<TestServer & { services: ServiceStore; conf: ZunConf }> {
  const conf = testConf(opts.flags ?? ['--api.auth_strategy=noauth']);
  const services = opts.services ?? new FakeServiceStore();
  const overrides: ApiOverrides = { ...opts.overrides };
  if (opts.paste !== undefined) overrides.paste = parsePasteConfig(opts.paste, 'test api-paste.ini');
  const app = createApiApp(conf, opts.logger ?? silentLogger(), services, overrides);
  return { ...(await listen(app)), services, conf };
}

/** A logger that keeps what it is given (to check what reaches the log). */
export function recordingLogger(): Logger & { lines: { level: string; msg: string; meta?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; meta?: Record<string, unknown> }[] = [];
  const make = (): Logger & { lines: typeof lines } => {
    const rec = (level: string) => (msg: string, meta?: Record<string, unknown>) => {
      lines.push(meta ? { level, msg, meta } : { level, msg });
    };
    const l = { lines, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error'), child: () => l };
    return l;
  };
  return make();
}
