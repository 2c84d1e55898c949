// Project networks across several real hosts (ADR 0007), the whole system and no fakes: three simulated compute
// hosts (tools/sim-hosts: each a network namespace with its own dockerd), one compute service per host running the
// VXLAN driver in that namespace with the host's address as its underlay, a conductor and a scheduler, on a real
// Redis and a SQLite file. Containers and their ports are written as the API writes them, then the build is cast:
// the conductor allocates the addresses on the host it placed the container on and tells the network's other hosts
// their new peers. Reachability is checked from inside the containers, on their hosts' own engines.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { intToIpv4, ipv4ToInt, isHostAddress, parseIpv4Cidr } from '@zun-ts/common';
import { type NewNetwork } from '@zun-ts/db';
import { type Container, type Network } from '@zun-ts/objects';
import { requireEnv, type SimHost, simDocker, simPings, simSh, uniqueName, waitFor } from '@zun-ts/testing';
import { SimCloud } from './fixtures/sim-cloud';

const run = promisify(execFile);
const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
// startSimHosts serves this registry's storage to the hosts (busybox comes from there).
requireEnv('ZUN_TEST_REGISTRY', '127.0.0.1:5050');

const DEMO = 'demo';
const ALT = 'alt_demo';
const ADMIN = 'admin';
/** Where the test's default networks are carved from: no address the machine or the stack routes. */
const POOL = { pool: '10.77.0.0/16', prefix: 24 };
const HTTPD = ['sh', '-c', 'echo hello-from-$(hostname) > /tmp/index.html && exec httpd -f -p 8080 -h /tmp'];

/** The container's (first) address on `n`. */
function ipOn(c: Container, n: Network): string {
  const addr = c.addresses?.[n.uuid]?.[0]?.addr;
  assert.ok(addr, `${c.uuid} has no address on ${n.name}: ${JSON.stringify(c.addresses)}`);
  return addr;
}

function inSubnet(ip: string, n: Network): boolean {
  const subnet = parseIpv4Cidr(n.cidr);
  return subnet !== null && isHostAddress(subnet, ip) && ip !== n.gateway;
}

describe('project networks across hosts (VXLAN), built by the conductor', { timeout: 900_000 }, () => {
  let cloud: SimCloud;
  let h1: SimHost;
  let h2: SimHost;
  let h3: SimHost;
  let demoNet: Network;
  let altNet: Network;
  let sharedNet: Network;
  const networks: Network[] = [];
  const made: string[] = [];
  // The containers the later cases look at again.
  let d1: Container;
  let d2: Container;
  let a1: Container;

  const create = async (...args: Parameters<SimCloud['create']>): Promise<string> => {
    const uuid = await cloud.create(...args);
    made.push(uuid);
    return uuid;
  };
  const hostOf = (c: Container): SimHost => cloud.host(c.host);
  const pings = (from: Container, ip: string): Promise<boolean> => simPings(hostOf(from), `zun-${from.uuid}`, ip);
  const sh = (c: Container, script: string): Promise<{ code: number; out: string }> => simSh(hostOf(c), `zun-${c.uuid}`, script);
  const network = async (n: Omit<NewNetwork, 'uuid' | 'gateway'>): Promise<Network> => {
    const subnet = parseIpv4Cidr(n.cidr);
    assert.ok(subnet);
    const created = await cloud.db.networks.create({ uuid: randomUUID(), gateway: intToIpv4(subnet.network + 1), ...n });
    networks.push(created);
    return created;
  };
  /** Whether the host's engine holds the network's Docker network (`zun-<uuid>`). */
  const holds = async (h: SimHost, n: Network): Promise<boolean> =>
    (await simDocker(h, ['network', 'ls', '-q', '--filter', `name=^zun-${n.uuid}$`])).trim() !== '';

  before(async () => {
    cloud = await SimCloud.start(3, redisUrl);
    [h1, h2, h3] = cloud.hosts as [SimHost, SimHost, SimHost];
    // Default networks as the API makes them on a project's first container; the shared one as an admin does.
    demoNet = await cloud.db.networks.ensureDefault(DEMO, `${DEMO}-user`, POOL);
    altNet = await cloud.db.networks.ensureDefault(ALT, `${ALT}-user`, POOL);
    networks.push(demoNet, altNet);
    sharedNet = await network({ name: uniqueName('shared'), project_id: ADMIN, cidr: '10.78.0.0/24', shared: true });
  });

  after(async () => {
    await cloud?.stop();
  });

  test('two containers of one network on different hosts reach each other by address (ping, HTTP)', async () => {
    const [u1, u2] = await Promise.all([
      create(DEMO, [{ network: demoNet }], { host: h1 }),
      create(DEMO, [{ network: demoNet }], { host: h2, command: HTTPD }),
    ]);
    [d1, d2] = await Promise.all([cloud.running(u1), cloud.running(u2)]);
    assert.deepEqual([d1.host, d2.host], [h1.name, h2.name]);
    for (const c of [d1, d2]) {
      const ports = await cloud.db.networks.portsOf(c.uuid);
      assert.equal(ports.length, 1);
      const { port } = ports[0] as (typeof ports)[number];
      assert.deepEqual(c.addresses, {
        [demoNet.uuid]: [{ addr: port.fixed_ip, version: 4, port: port.uuid, subnet_id: demoNet.subnet_id, preserve_on_delete: false }],
      });
      assert.deepEqual([port.status, port.host], ['bound', c.host]);
      assert.ok(inSubnet(ipOn(c, demoNet), demoNet), `${ipOn(c, demoNet)} is a host address of ${demoNet.cidr}`);
    }
    assert.notEqual(ipOn(d1, demoNet), ipOn(d2, demoNet));
    assert.ok(await pings(d1, ipOn(d2, demoNet)), `d1 on ${h1.name} → d2 on ${h2.name}`);
    assert.ok(await pings(d2, ipOn(d1, demoNet)), `d2 on ${h2.name} → d1 on ${h1.name}`);
    const page = await waitFor(async () => {
      // `timeout`, not wget's -T: the image's busybox (1.35) wget crashes on -T.
      const r = await sh(d1, `timeout 3 wget -qO- http://${ipOn(d2, demoNet)}:8080/`);
      return r.code === 0 ? r.out : null;
    }, { timeoutMs: 20_000, intervalMs: 500, what: 'd1 fetching http://d2:8080/' });
    assert.match(page, /^hello-from-/);
    // A host with no container on the network does not hold it.
    assert.deepEqual(await Promise.all([h1, h2, h3].map((h) => holds(h, demoNet))), [true, true, false]);
  });

  test('a container of another project on its own network reaches neither, even when it claims their subnet', async () => {
    a1 = await cloud.running(await create(ALT, [{ network: altNet }], { host: h1 }));
    assert.notEqual(altNet.cidr, demoNet.cidr);
    const altIp = ipOn(a1, altNet);
    assert.ok(await pings(a1, altNet.gateway), 'the alt container reaches its own gateway (its network works)');
    for (const d of [d1, d2]) {
      assert.equal(await pings(a1, ipOn(d, demoNet)), false, `alt on ${h1.name} → demo on ${String(d.host)}`);
      assert.equal(await pings(d, altIp), false, `demo on ${String(d.host)} → alt on ${h1.name}`);
    }

    const subnet = parseIpv4Cidr(demoNet.cidr);
    assert.ok(subnet);
    const guess = intToIpv4(subnet.network + 2 ** (32 - subnet.prefix) - 2); // the subnet's last host address
    assert.ok(![ipOn(d1, demoNet), ipOn(d2, demoNet)].includes(guess));
    const attempts: [string, string, string][] = [
      ['demo\'s subnet declared on-link', `ip route add ${demoNet.cidr} dev eth0`, `ip route del ${demoNet.cidr} dev eth0`],
      ['an address of demo\'s subnet on its NIC', `ip addr add ${guess}/${subnet.prefix} dev eth0`, `ip addr del ${guess}/${subnet.prefix} dev eth0`],
      ['demo\'s subnet routed through its gateway', `ip route add ${demoNet.cidr} via ${altNet.gateway}`, `ip route del ${demoNet.cidr}`],
    ];
    // The container itself may not change its network (no NET_ADMIN) …
    const own = await sh(a1, attempts[0]?.[1] ?? '');
    assert.notEqual(own.code, 0);
    assert.match(own.out, /Operation not permitted/);
    // … so its network namespace is changed from the host, as a tenant with NET_ADMIN could (privileged containers
    // are admin-only in Zun, and this machine's engines cannot run them at all).
    const pid = (await simDocker(h1, ['inspect', '--format', '{{.State.Pid}}', `zun-${a1.uuid}`])).trim();
    const inA1 = (cmd: string): Promise<string> => run('nsenter', [`--target=${pid}`, '--net', ...cmd.split(' ')], { timeout: 10_000 }).then((r) => r.stdout);
    for (const [how, add, del] of attempts) {
      await inA1(add);
      try {
        assert.match(await inA1('ip -4 route show'), new RegExp(demoNet.cidr.replace(/\./g, '\\.')), `${how}: the route is in place`);
        for (const d of [d1, d2]) {
          assert.equal(await pings(a1, ipOn(d, demoNet)), false, `${how}: alt → demo on ${String(d.host)}`);
          // The claimed address lives in alt's segment only: demo's containers do not reach it.
          if (add.startsWith('ip addr')) assert.equal(await pings(d, guess), false, `${how}: demo on ${String(d.host)} → ${guess}`);
        }
      } finally {
        await inA1(del);
      }
    }
  });

  test('a shared network: containers of two projects reach each other on it, never each other\'s own networks', async () => {
    const [du, au] = await Promise.all([
      create(DEMO, [{ network: demoNet }, { network: sharedNet }], { host: h2 }),
      create(ALT, [{ network: altNet }, { network: sharedNet }], { host: h3 }),
    ]);
    const [sd, sa] = await Promise.all([cloud.running(du), cloud.running(au)]);
    assert.deepEqual(Object.keys(sd.addresses ?? {}).sort(), [demoNet.uuid, sharedNet.uuid].sort());
    assert.deepEqual((await cloud.db.networks.portsOf(sd.uuid)).map((p) => [p.network.uuid, p.port.device_index]), [[demoNet.uuid, 0], [sharedNet.uuid, 1]]);
    assert.ok(inSubnet(ipOn(sa, sharedNet), sharedNet));
    assert.ok(await pings(sd, ipOn(sa, sharedNet)), `demo on ${h2.name} → alt on ${h3.name} over the shared network`);
    assert.ok(await pings(sa, ipOn(sd, sharedNet)), `alt on ${h3.name} → demo on ${h2.name} over the shared network`);
    assert.ok(await pings(sd, ipOn(d1, demoNet)), 'the demo container still reaches its own network');
    for (const [from, ip, what] of [
      [sa, ipOn(sd, demoNet), 'alt → the demo container\'s private address'],
      [sa, ipOn(d1, demoNet), 'alt → another demo container'],
      [sd, ipOn(sa, altNet), 'demo → the alt container\'s private address'],
      [sd, ipOn(a1, altNet), 'demo → another alt container'],
    ] as const) {
      assert.equal(await pings(from, ip), false, what);
    }
  });

  test('network attach and detach on a host new to the network: reached from the other hosts, then not', async () => {
    // On the shared network only, on the one host without a container of demo's network.
    const e = await cloud.running(await create(DEMO, [{ network: sharedNet }], { host: h3 }));
    assert.equal(await holds(h3, demoNet), false);
    const fixed = intToIpv4((parseIpv4Cidr(demoNet.cidr)?.network ?? 0) + 200);
    const attached = await cloud.attach(e.uuid, demoNet, fixed);
    assert.equal(ipOn(attached, demoNet), fixed);
    assert.deepEqual((await cloud.db.networks.portsOf(e.uuid)).map((p) => [p.network.uuid, p.port.status, p.port.host]),
      [[sharedNet.uuid, 'bound', h3.name], [demoNet.uuid, 'bound', h3.name]]);
    // The other hosts are asked first: their flood lists must hold the new host before it ever sent anything to them.
    assert.ok(await pings(d1, fixed), `d1 on ${h1.name} → the attached container on ${h3.name}`);
    assert.ok(await pings(d2, fixed), `d2 on ${h2.name} → the attached container on ${h3.name}`);
    assert.ok(await pings(attached, ipOn(d1, demoNet)), 'the attached container → d1');

    const detached = await cloud.detach(e.uuid, demoNet);
    assert.deepEqual(Object.keys(detached.addresses ?? {}), [sharedNet.uuid]);
    assert.deepEqual((await cloud.db.networks.portsOf(e.uuid)).map((p) => p.network.uuid), [sharedNet.uuid], 'the port is released');
    const nic = await sh(detached, `ip -4 addr | grep -c ${fixed} || true`);
    assert.equal(nic.out.trim(), '0', 'the container has no NIC with the address any more');
    assert.equal(await pings(d1, fixed), false, 'the detached address is not reached any more');
    assert.equal(await holds(h3, demoNet), false, `${h3.name} dropped the network it has no port on any more`);
    assert.deepEqual((await cloud.db.networks.hostsOf(demoNet.uuid)).sort(), [h1.name, h2.name]);
  });

  test('30 simultaneous builds on one network, over three hosts, get 30 distinct addresses', async () => {
    const bulk = await network({ name: uniqueName('bulk'), project_id: DEMO, cidr: '10.79.0.0/24' });
    const hosts = [h1, h2, h3];
    const t0 = Date.now();
    const uuids = await Promise.all(Array.from({ length: 30 }, (_, i) => create(DEMO, [{ network: bulk }], { host: hosts[i % 3] as SimHost })));
    // Each host creates its containers one after the other: ten take a minute or two on a small machine.
    const rows = await Promise.all(uuids.map((u) => cloud.running(u, 300_000)));
    console.log(`# 30 containers on one network over 3 hosts, Running: ${Date.now() - t0} ms`);
    const ips = rows.map((c) => ipOn(c, bulk));
    assert.equal(new Set(ips).size, 30, `distinct addresses: ${ips.join(' ')}`);
    for (const c of rows) {
      const ports = await cloud.db.networks.portsOf(c.uuid);
      assert.deepEqual(ports.map((p) => [p.network.uuid, p.port.fixed_ip, p.port.status, p.port.host]), [[bulk.uuid, ipOn(c, bulk), 'bound', c.host]]);
      assert.ok(inSubnet(ipOn(c, bulk), bulk), ipOn(c, bulk));
    }
    assert.deepEqual(hosts.map((h) => rows.filter((c) => c.host === h.name).length), [10, 10, 10]);
    // The lowest free addresses, each once: .2 to .31 (.1 is the gateway).
    const base = ipv4ToInt('10.79.0.0') ?? 0;
    assert.deepEqual(ips.map((ip) => (ipv4ToInt(ip) ?? 0) - base).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 2));
    const first = rows.find((c) => c.host === h1.name) as Container;
    const last = rows.filter((c) => c.host === h3.name).at(-1) as Container;
    assert.ok(await pings(first, ipOn(last, bulk)), `${h1.name} → ${h3.name} on the busy network`);
  });

  test('a /29 has room for five: the sixth container is Error with the reason, the others run', async () => {
    const tiny = await network({ name: uniqueName('tiny'), project_id: DEMO, cidr: '10.79.1.0/29' });
    const hosts = [h1, h2, h3];
    const uuids = await Promise.all(Array.from({ length: 6 }, (_, i) => create(DEMO, [{ network: tiny }], { host: hosts[i % 3] as SimHost })));
    const rows = await Promise.all(uuids.map((u) => cloud.settled(u)));
    const failed = rows.filter((c) => c.status === 'Error');
    const running = rows.filter((c) => c.status === 'Running');
    assert.equal(failed.length, 1, rows.map((c) => `${c.status}: ${c.status_reason ?? ''}`).join('\n'));
    assert.equal(running.length, 5);
    const [full] = failed as [Container];
    assert.equal(full.status_reason, `No more IP addresses available on network ${tiny.name} (${tiny.cidr}).`);
    assert.deepEqual((await cloud.db.networks.portsOf(full.uuid)).map((p) => p.port.fixed_ip), [null], 'no address held by the failed container');
    assert.deepEqual(running.map((c) => ipOn(c, tiny)).sort(), ['10.79.1.2', '10.79.1.3', '10.79.1.4', '10.79.1.5', '10.79.1.6']);
    const a = running[0] as Container;
    const b = running.find((c) => c.host !== a.host) as Container;
    assert.ok(await pings(a, ipOn(b, tiny)), `${String(a.host)} → ${String(b.host)} on the full network`);
  });

  test('deleting the containers releases their ports: every network can then be deleted and no host keeps it', async () => {
    await Promise.all(made.map((u) => cloud.remove(u)));
    for (const n of networks) {
      assert.deepEqual(await cloud.db.networks.hostsOf(n.uuid), [], `${n.name} has no port left`);
      await cloud.db.networks.destroy(n.uuid);
      await assert.rejects(cloud.db.networks.getByUuid({ projectId: null, allProjects: true }, n.uuid), /could not be found/);
    }
    for (const h of cloud.hosts) {
      assert.equal((await simDocker(h, ['network', 'ls', '-q', '--filter', 'name=^zun-'])).trim(), '', `${h.name} holds no project network`);
    }
  });
});
