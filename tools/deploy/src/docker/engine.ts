// The tool's reach into each host: its Docker engine (through dockerode on the
// host's endpoint) and TCP probes. An interface, so verbs are unit-tested with a fake.
import { connect } from 'node:net';
import Docker from 'dockerode';
import { type Endpoint, dockerOptions } from './endpoint';

export interface Engines {
  /** The engine's version; rejects when it cannot be reached. */
  version(e: Endpoint): Promise<{ version: string; apiVersion: string }>;
  /** Names of the running containers. */
  runningContainers(e: Endpoint): Promise<string[]>;
  /** Whether something accepts TCP connections at address:port. */
  portInUse(address: string, port: number): Promise<boolean>;
}

function probe(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: address, port });
    const done = (inUse: boolean): void => {
      sock.destroy();
      resolve(inUse);
    };
    sock.setTimeout(timeoutMs, () => done(false)); // filtered: nothing answers, so nothing listens that we could clash with
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** The real engines: dockerode per endpoint (10 s per request for checks). */
export function dockerEngines(timeoutMs = 10_000): Engines {
  const client = (e: Endpoint): Docker => new Docker(dockerOptions(e, timeoutMs));
  return {
    async version(e) {
      const v = await client(e).version();
      return { version: v.Version, apiVersion: v.ApiVersion };
    },
    async runningContainers(e) {
      const list = await client(e).listContainers({ all: false });
      return list.flatMap((c) => c.Names.map((n) => n.replace(/^\//, '')));
    },
    portInUse: (address, port) => probe(address, port, 2000),
  };
}
