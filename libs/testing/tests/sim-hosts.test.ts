// tools/sim-hosts for real: dockerd per network namespace, the shared registry,
// idempotent up, and a down that leaves nothing behind. Runs as root.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { simHostsStatus, startSimHosts, stopSimHosts, type SimHost } from '../src';

const run = promisify(execFile);

async function sh(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args, { timeout: 120_000 });
  return stdout;
}

async function docker(host: SimHost, ...args: string[]): Promise<string> {
  return (await sh('docker', ['-H', host.dockerHost, ...args])).trim();
}

/** The daemon's labels as `docker info` shows them, sorted (the engine keeps no order). */
async function daemonLabels(host: SimHost): Promise<string[]> {
  return (JSON.parse(await docker(host, 'info', '--format', '{{json .Labels}}')) as string[]).sort();
}

async function simNetns(): Promise<string[]> {
  return (await sh('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => /^zsim\d+$/.test(n));
}

async function linkExists(name: string): Promise<boolean> {
  return run('ip', ['link', 'show', 'dev', name]).then(
    () => true,
    () => false,
  );
}

function cgroupsLeft(): string[] {
  const root = '/sys/fs/cgroup';
  return readdirSync(root).flatMap((ctrl) => (existsSync(`${root}/${ctrl}`) ? readdirSync(`${root}/${ctrl}`).filter((d) => /^zsim\d+$/.test(d)).map((d) => `${ctrl}/${d}`) : []));
}

void describe('tools/sim-hosts', () => {
  // a failed step must not leave namespaces and daemons behind
  after(() => stopSimHosts());

  let hosts: SimHost[] = [];

  test('up 3 gives three answering daemons, each labelled with its name', async () => {
    const t0 = Date.now();
    const three = await startSimHosts(3, { labels: { 3: { zone: 'far' } } });
    console.log(`up 3: ${Date.now() - t0} ms`);
    assert.deepEqual(three.map((h) => h.name), ['zsim1', 'zsim2', 'zsim3']);
    assert.deepEqual(new Set(three.map((h) => h.dockerHost)).size, 3);
    assert.deepEqual(await daemonLabels(three[2] as SimHost), ['zone=far', 'zun.host=zsim3']);
    assert.deepEqual(await simNetns().then((n) => n.sort()), ['zsim1', 'zsim2', 'zsim3']);
  });

  test('up 2 removes the third host and applies the new labels', async () => {
    const t0 = Date.now();
    hosts = await startSimHosts(2, { labels: { 2: { zone: 'fast', disk: 'ssd' } } });
    console.log(`up 2 (from 3): ${Date.now() - t0} ms`);
    assert.deepEqual(hosts.map((h) => [h.name, h.state, h.registry, h.address]), [
      ['zsim1', 'up', '10.99.0.1:5050', '10.99.0.11'],
      ['zsim2', 'up', '10.99.0.1:5050', '10.99.0.12'],
    ]);
    assert.deepEqual(hosts[1]?.labels, { 'zun.host': 'zsim2', zone: 'fast', disk: 'ssd' });
    assert.deepEqual(await simNetns().then((n) => n.sort()), ['zsim1', 'zsim2']);
    assert.equal(await linkExists('vzsim3'), false);
  });

  test('both daemons answer `docker info` with their own labels', async () => {
    const [h1, h2] = hosts as [SimHost, SimHost];
    assert.deepEqual(await daemonLabels(h1), ['zun.host=zsim1']);
    assert.deepEqual(await daemonLabels(h2), ['disk=ssd', 'zone=fast', 'zun.host=zsim2']);
  });

  test('a container on zsim1 is created from 10.99.0.1:5050/busybox and reaches zsim2', async () => {
    const h1 = hosts[0] as SimHost;
    const image = `${h1.registry}/busybox`;
    const id = await docker(h1, 'create', '--label', 'zt.sim-hosts=1', image, 'sh', '-c', `echo hello from $(hostname); ping -c 1 -W 3 ${hosts[1]?.address ?? ''} >/dev/null && echo zsim2 reachable`);
    assert.match(id, /^[0-9a-f]{64}$/);
    const out = await docker(h1, 'start', '-a', id);
    assert.match(out, /^hello from [0-9a-f]{12}\nzsim2 reachable$/);
    // the image came from the registry into this daemon only
    assert.match(await docker(h1, 'images', '--format', '{{.Repository}}'), /10\.99\.0\.1:5050\/busybox/);
    assert.equal(await docker(hosts[1] as SimHost, 'images', '-q'), '');
  });

  test('up again changes nothing: a running container survives', async () => {
    const h2 = hosts[1] as SimHost;
    const id = await docker(h2, 'run', '-d', `${h2.registry}/busybox`, 'sleep', '600');
    const t0 = Date.now();
    const again = await startSimHosts(2, { labels: { 2: { zone: 'fast', disk: 'ssd' } } });
    console.log(`up 2 (no change): ${Date.now() - t0} ms`);
    assert.deepEqual(again, hosts);
    assert.equal(await docker(h2, 'inspect', '--format', '{{.State.Running}}', id), 'true');
  });

  test('down removes daemons, namespaces, veths, bridge, FORWARD rule and cgroups', async () => {
    const t0 = Date.now();
    await stopSimHosts();
    console.log(`down 2 (one container running): ${Date.now() - t0} ms`);
    assert.deepEqual(await simNetns(), []);
    assert.equal(await linkExists('br-zsim'), false);
    assert.equal(await linkExists('vzsim1'), false);
    assert.doesNotMatch(await sh('iptables', ['-S', 'FORWARD']), /br-zsim/);
    assert.deepEqual(cgroupsLeft(), []);
    for (const h of hosts) assert.equal(existsSync(h.socketPath), false, `${h.socketPath} is still there`);
    assert.doesNotMatch(await sh('cat', ['/proc/self/mounts']), /zsim/);
    assert.deepEqual(await simHostsStatus(), []);
    // a second down is harmless
    await stopSimHosts();
  });
});
