// Helpers of the VXLAN driver's integration tests: commands inside a simulated host's namespace, busybox
// containers on its engine, and reachability probes. Not a test file itself.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { type SimHost, simDocker as dockerCli } from '@zun-ts/testing';
import { type CreateNetworking } from '@zun-ts/network-driver';

const run = promisify(execFile);

/** Runs a command in the host's network namespace (as the driver does) and answers its stdout. */
export async function inNetns(host: SimHost, cmd: string, args: string[]): Promise<string> {
  const { stdout } = await run('nsenter', [`--net=${host.netns}`, cmd, ...args], { timeout: 20_000 });
  return stdout;
}

/** The names of the links in the host's namespace whose names start with `prefix`. */
export async function linksNamed(host: SimHost, prefix: string): Promise<string[]> {
  const links = JSON.parse(await inNetns(host, 'ip', ['-j', 'link', 'show'])) as { ifname: string }[];
  return links.map((l) => l.ifname).filter((n) => n.startsWith(prefix)).sort();
}

export async function linkMac(host: SimHost, name: string): Promise<string> {
  const [link] = JSON.parse(await inNetns(host, 'ip', ['-j', 'link', 'show', 'dev', name])) as { address: string }[];
  return link?.address ?? '';
}

// Commands in a host's engine and its containers: the helpers every simulated-host test shares.
export { simDocker as dockerCli, simPings as pings, simSh as sh } from '@zun-ts/testing';

/** A label every container of one test run carries, for the cleanup. */
export const TEST_LABEL = 'zun.test.vxlan';

/**
 * Starts a busybox container that sleeps, joined to its first network as the compute service will do it:
 * with the driver's create options. `capAdd` only where a test needs it.
 */
export async function runBusybox(
  host: SimHost, name: string, runId: string, networking: CreateNetworking, capAdd: string[] = [],
): Promise<string> {
  const api = new Docker({ socketPath: host.socketPath });
  const c = await api.createContainer({
    name, Image: `${host.registry}/busybox:latest`, Cmd: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"],
    Labels: { [TEST_LABEL]: runId },
    HostConfig: { NetworkMode: networking.networkMode, CapAdd: capAdd, Init: true },
    NetworkingConfig: { EndpointsConfig: networking.endpointsConfig },
  });
  await c.start();
  return c.id;
}

/** Force-removes the containers of this run on the host. */
export async function removeTestContainers(host: SimHost, runId: string): Promise<void> {
  const ids = (await dockerCli(host, ['ps', '-aq', '--filter', `label=${TEST_LABEL}=${runId}`])).split('\n').filter(Boolean);
  if (ids.length) await dockerCli(host, ['rm', '-f', ...ids], 60_000);
}
