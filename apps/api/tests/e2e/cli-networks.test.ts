// End to end: project networks (ADR 0007) with the real `zun` CLI on the all-in-one stack: the project's default
// network, networks of the project's own (made over HTTP: the client has no network commands), `--net`,
// network-attach/-detach/-list, isolation of another project, published ports and what is refused. Reachability is
// checked from inside the containers through the engine (`zun exec` exits 0 whatever the command did).
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { intToIpv4, isHostAddress, parseIpv4Cidr } from '@zun-ts/common';
import { parseShow, parseTable, waitFor } from '@zun-ts/testing';
import { Cleanup, createdUuid, debugBodies, docker, LONG_RUNNING, mustInspect, ok, type StackUser, testName, zun, ZunPoller } from './fixtures/stack-cli';

interface NetworkView {
  uuid: string;
  name: string;
  cidr: string;
  gateway: string;
  subnet_id: string;
  shared: boolean;
  is_default: boolean;
  project_id: string;
}

interface AddressEntry {
  addr: string;
  version: number;
  port: string;
  subnet_id: string;
  preserve_on_delete: boolean;
}

interface ContainerView {
  uuid: string;
  status: string;
  status_reason: string | null;
  addresses: Record<string, AddressEntry[]> | null;
  published_ports: { port: number; protocol: string; host_ip: string; host_port: number }[] | null;
}

/** Zun's error answer: the first error's title and detail. */
function errorText(body: unknown): string {
  const err = (body as { errors?: { title?: string; detail?: string }[] }).errors?.[0];
  return `${err?.title ?? ''} ${err?.detail ?? ''}`;
}

/** The `n`-th host address of a subnet. */
function hostAddress(cidr: string, n: number): string {
  const subnet = parseIpv4Cidr(cidr);
  assert.ok(subnet, cidr);
  return intToIpv4(subnet.network + n);
}

function inSubnet(ip: string, cidr: string): boolean {
  const subnet = parseIpv4Cidr(cidr);
  return subnet !== null && isHostAddress(subnet, ip);
}

/** Whether the container answers `ping ip` (three tries of 1 s), asked of the engine for its exit code. */
async function pings(uuid: string, ip: string): Promise<boolean> {
  const r = await docker('exec', `zun-${uuid}`, 'sh', '-c', `for i in 1 2 3; do ping -c 1 -W 1 ${ip} >/dev/null 2>&1 && exit 0; done; exit 1`);
  return r.code === 0;
}

void describe('project networks through the zun CLI', () => {
  const cleanup = new Cleanup();
  /** Networks made here, with the poller of their owner (for the DELETE at the end). */
  const made = new Map<string, ZunPoller>();
  let admin: ZunPoller;
  let demo: ZunPoller;
  let alt: ZunPoller;
  let net: NetworkView;
  let a: string;
  let b: string;
  let plain: string;

  /** `zun run` as `user` with `args` before the image; answers the new container's uuid. */
  async function run(user: StackUser, args: string[], cmd: string[] = LONG_RUNNING): Promise<string> {
    const out = ok(await zun(user, 'run', '--name', testName('net'), ...args, 'busybox', ...cmd), `zun run ${args.join(' ')}`);
    return cleanup.container(createdUuid(out));
  }

  /** The container as the client received it for `zun show` (the raw body: `zun show` prints addresses flattened). */
  async function shown(uuid: string, user: StackUser = 'demo'): Promise<{ view: ContainerView; table: Record<string, string> }> {
    const r = await zun(user, '--debug', 'show', uuid);
    const table = parseShow(ok(r, `zun show ${uuid}`));
    const view = (debugBodies(r.stderr, uuid) as ContainerView[]).find((v) => v.uuid === uuid);
    assert.ok(view, `no body of ${uuid} in the client's debug output`);
    return { view, table };
  }

  async function addressOn(uuid: string, network: string): Promise<AddressEntry> {
    const entry = (await shown(uuid)).view.addresses?.[network]?.[0];
    assert.ok(entry, `${uuid} has no address on ${network}`);
    return entry;
  }

  async function networkList(uuid: string): Promise<Record<string, string>[]> {
    return parseTable(ok(await zun('demo', 'network-list', uuid), `zun network-list ${uuid}`));
  }

  /** A network of `owner`'s over HTTP, on a /24 nothing else in the cloud has (another is tried on a CIDR conflict). */
  async function makeNetwork(owner: ZunPoller, extra: Record<string, unknown> = {}): Promise<NetworkView> {
    for (let i = 0; i < 5; i++) {
      const r = await owner.api('POST', '/networks', { name: testName('enet'), cidr: `10.${randomInt(210, 240)}.${randomInt(0, 256)}.0/24`, ...extra });
      if (r.status === 409 && /overlap/i.test(errorText(r.body))) continue;
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const n = r.body as NetworkView;
      made.set(n.uuid, owner);
      return n;
    }
    assert.fail('no free /24 found for a network');
  }

  /** A refused `zun run --name <name>` made nothing: the name is unknown to the API (other users may be creating too). */
  async function noContainerNamed(name: string): Promise<void> {
    const r = await admin.api('GET', `/containers/${name}?all_projects=1`);
    assert.equal(r.status, 404, `a container ${name} exists: ${JSON.stringify(r.body)}`);
  }

  before(async () => {
    [admin, demo, alt] = await Promise.all([ZunPoller.login('admin'), ZunPoller.login('demo'), ZunPoller.login('alt_demo')]);
  });

  after(async () => {
    await cleanup.run(admin);
    for (const [uuid, owner] of made) {
      const r = await owner.api('DELETE', `/networks/${uuid}`);
      assert.ok(r.status === 204 || r.status === 404, `DELETE network ${uuid}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  });

  test('zun run without --net: the project\'s default network, addresses in Zun\'s shape, network-list', async () => {
    plain = await run('demo', []);
    await admin.settled(plain, 'Running', 60_000);
    const list = await demo.api('GET', '/networks');
    assert.equal(list.status, 200);
    const defaults = (list.body as { networks: NetworkView[] }).networks.filter((n) => n.is_default);
    assert.equal(defaults.length, 1, JSON.stringify(list.body));
    const def = defaults[0] as NetworkView;
    assert.equal(def.name, 'default');
    const { view, table } = await shown(plain);
    const entry = view.addresses?.[def.uuid]?.[0];
    assert.ok(entry, JSON.stringify(view.addresses));
    assert.deepEqual(view.addresses, {
      [def.uuid]: [{ addr: entry.addr, version: 4, port: entry.port, subnet_id: def.subnet_id, preserve_on_delete: false }],
    });
    assert.ok(inSubnet(entry.addr, def.cidr) && entry.addr !== def.gateway, `${entry.addr} in ${def.cidr}`);
    assert.match(entry.port, /^[0-9a-f-]{36}$/);
    // `zun show` prints the addresses and the networks flattened.
    assert.deepEqual([table['addresses'], table['networks']], [entry.addr, def.uuid]);
    assert.deepEqual(await networkList(plain), [{ net_id: def.uuid, port_id: entry.port, fixed_ips: entry.addr }]);
    const engine = await mustInspect(plain);
    assert.equal(engine.NetworkSettings.Networks[`zun-${def.uuid}`]?.IPAddress, entry.addr, 'the engine has the container at that address');
  });

  test('--net network=<name>, and v4-fixed-ip: that address; two containers reach each other by address', async () => {
    net = await makeNetwork(demo);
    const fixed = hostAddress(net.cidr, 77);
    a = await run('demo', ['--net', `network=${net.name}`]);
    b = await run('demo', ['--net', `network=${net.name},v4-fixed-ip=${fixed}`]);
    await Promise.all([admin.settled(a, 'Running', 60_000), admin.settled(b, 'Running', 60_000)]);
    const [ea, eb] = await Promise.all([addressOn(a, net.uuid), addressOn(b, net.uuid)]);
    assert.equal(eb.addr, fixed, 'the address asked for');
    assert.ok(inSubnet(ea.addr, net.cidr) && ea.addr !== fixed && ea.addr !== net.gateway, ea.addr);
    assert.deepEqual([ea.subnet_id, eb.subnet_id], [net.subnet_id, net.subnet_id]);
    assert.ok(await pings(a, eb.addr), 'a → b');
    assert.ok(await pings(b, ea.addr), 'b → a');
    // Another network of the same project is another segment: the default network's container is not reached.
    const def = Object.values((await shown(plain)).view.addresses ?? {})[0]?.[0];
    assert.ok(def);
    assert.equal(await pings(a, def.addr), false, 'a (own network) → the container on the default network');
  });

  test('network-detach takes the network away; network-attach --fixed-ip brings it back at that address', async () => {
    const before = await addressOn(b, net.uuid);
    const ea = await addressOn(a, net.uuid);
    assert.match(ok(await zun('demo', 'network-detach', b, '--network', net.uuid), 'zun network-detach'), /has been accepted/);
    await admin.settled(b, 'Running', 60_000);
    assert.deepEqual((await shown(b)).view.addresses ?? {}, {});
    assert.deepEqual(await networkList(b), []);
    assert.equal(await pings(a, before.addr), false, 'the detached address is not reached any more');
    assert.equal(await pings(b, ea.addr), false, 'the detached container reaches nothing on the network');

    const again = hostAddress(net.cidr, 88);
    const out = ok(await zun('demo', 'network-attach', b, '--network', net.name, '--fixed-ip', again), 'zun network-attach');
    assert.match(out, /has been accepted/);
    await admin.settled(b, 'Running', 60_000);
    const eb = await addressOn(b, net.uuid);
    assert.deepEqual([eb.addr, eb.subnet_id, eb.version], [again, net.subnet_id, 4]);
    assert.notEqual(eb.port, before.port, 'a new port');
    assert.deepEqual(await networkList(b), [{ net_id: net.uuid, port_id: eb.port, fixed_ips: again }]);
    assert.ok(await pings(a, again), 'a → b at its new address');
    assert.ok(await pings(b, ea.addr), 'b → a');
  });

  test('alt_demo can neither use demo\'s network nor reach demo\'s containers', async () => {
    for (const ident of [net.name, net.uuid]) {
      const r = await zun('alt_demo', 'run', '--net', `network=${ident}`, 'busybox', ...LONG_RUNNING);
      assert.notEqual(r.code, 0, `alt_demo on demo's network ${ident}`);
      assert.match(r.stderr, new RegExp(`Network ${ident} could not be found.*\\(HTTP 404\\)`));
    }
    assert.equal((await alt.api('GET', `/networks/${net.uuid}`)).status, 404);
    const other = await run('alt_demo', []);
    await admin.settled(other, 'Running', 60_000);
    const targets = [(await addressOn(a, net.uuid)).addr, Object.values((await shown(plain)).view.addresses ?? {})[0]?.[0]?.addr ?? ''];
    for (const ip of targets) assert.equal(await pings(other, ip), false, `alt_demo's container → demo's ${ip}`);
    const mine = Object.values((await shown(other, 'alt_demo')).view.addresses ?? {})[0]?.[0]?.addr ?? '';
    assert.ok(mine);
    assert.equal(await pings(a, mine), false, 'demo → alt_demo\'s container');
  });

  test('zun run -p 80: published on the host at published_ports\' host_ip:host_port', async () => {
    const web = await run('demo', ['-p', '80'], ['sh', '-c', 'echo hello-published > /tmp/index.html && exec httpd -f -p 80 -h /tmp']);
    await admin.settled(web, 'Running', 60_000);
    const { view, table } = await shown(web);
    const [pub] = view.published_ports ?? [];
    assert.ok(pub, `published_ports: ${JSON.stringify(view.published_ports)}`);
    assert.deepEqual([pub.port, pub.protocol], [80, 'tcp']);
    assert.ok(pub.host_port > 0);
    assert.match(table['published_ports'] ?? '', new RegExp(String(pub.host_port)), 'zun show prints them');
    const body = await waitFor(async () => {
      const res = await fetch(`http://${pub.host_ip}:${pub.host_port}/`).catch(() => null);
      return res?.ok ? res.text() : null;
    }, { what: `http://${pub.host_ip}:${pub.host_port}/`, timeoutMs: 15_000, intervalMs: 250 });
    assert.equal(body.trim(), 'hello-published');
  });

  test('security groups are refused with a 400', async () => {
    const name = testName('sg');
    const r = await zun('demo', 'run', '--name', name, '--security-group', 'default', 'busybox', ...LONG_RUNNING);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Security groups are not supported.*\(HTTP 400\)/);
    const add = ok(await zun('demo', '--zun-api-version', '1.14', 'add-security-group', a, 'default'), 'zun add-security-group');
    assert.match(add, /HTTP 400/);
    await noContainerNamed(name);
  });

  test('bad input is refused with a 4xx and leaves nothing half-made', async () => {
    const altNet = await makeNetwork(alt);
    const ea = await addressOn(a, net.uuid);
    const refused: [string[], RegExp][] = [
      [['--net', 'network=no-such-network-anywhere'], /Network no-such-network-anywhere could not be found.*\(HTTP 404\)/],
      [['--net', `network=${altNet.uuid}`], new RegExp(`Network ${altNet.uuid} could not be found.*\\(HTTP 404\\)`)],
      [['--net', `network=${net.name},v4-fixed-ip=10.1.2.3`], /not a host address of network.*\(HTTP 400\)/],
      [['--net', `network=${net.name},v4-fixed-ip=${net.gateway}`], /gateway.*\(HTTP 400\)/],
    ];
    for (const [args, message] of refused) {
      const name = testName('bad');
      const r = await zun('demo', 'run', '--name', name, ...args, 'busybox', ...LONG_RUNNING);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      await noContainerNamed(name);
    }

    // An address another container holds: refused when the build allocates it (the container goes Error).
    const taken = await run('demo', ['--net', `network=${net.name},v4-fixed-ip=${ea.addr}`]);
    const failed = await admin.settled(taken, 'Error', 60_000);
    assert.equal(failed.status_reason, `IP address ${ea.addr} is already in use on network ${net.name}.`);
    assert.deepEqual((await shown(taken)).view.addresses ?? {}, {});
    assert.equal((await addressOn(a, net.uuid)).addr, ea.addr, 'the holder keeps it');
    // network-attach allocates at once: the client reports the 409 (and exits 0, as it does for any attach error).
    const attach = ok(await zun('demo', 'network-attach', plain, '--network', net.uuid, '--fixed-ip', ea.addr), 'zun network-attach');
    assert.match(attach, /failed: .*already in use.*\(HTTP 409\)/);
    await admin.settled(plain, 'Running', 60_000);
    assert.equal(Object.keys((await shown(plain)).view.addresses ?? {}).length, 1, 'nothing attached');

    const overlapName = testName('enet');
    const overlap = await demo.api('POST', '/networks', { name: overlapName, cidr: net.cidr.replace(/\.0\/24$/, '.128/25') });
    assert.equal(overlap.status, 409, JSON.stringify(overlap.body));
    assert.match(errorText(overlap.body), /overlap/i);
    assert.equal((await demo.api('GET', `/networks/${overlapName}`)).status, 404, 'no network made');
    const inUse = await demo.api('DELETE', `/networks/${net.uuid}`);
    assert.equal(inUse.status, 409, JSON.stringify(inUse.body));
    assert.match(errorText(inUse.body), /in use/);
    assert.equal((await demo.api('GET', `/networks/${net.uuid}`)).status, 200, 'the network in use is still there');
  });
});
