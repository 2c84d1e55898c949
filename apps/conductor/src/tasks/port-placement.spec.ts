import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type PortWithNetwork } from '@zun-ts/db';
import { type Network, type NetworkPort } from '@zun-ts/objects';
import { build, ctx, setup, UUID } from '../../tests/fixtures/build-task-fixture';
import { BUILD_EVENT } from './build-container.task';
import { networksToAnnounce } from './port-placement';

const H1 = '192.0.2.1';
const H2 = '192.0.2.2';
const H3 = '192.0.2.3';

/**
 * Hosts h1..h3 with underlay addresses; the container asks for a port on n1 and one on n2. Another container holds n1
 * on h3, and two others hold n2 on h1 and h3.
 */
function withNetworks(capacity: Record<string, number> = { h1: 1000, h2: 1000 }, n1Addresses?: string[]) {
  const s = setup(capacity);
  const net = s.db.networks;
  net.underlay.set('h1', H1).set('h2', H2).set('h3', H3);
  net.addNetwork('n1', n1Addresses);
  net.addNetwork('n2');
  net.addPort('x1', 'x', 'n1', { host: 'h3', status: 'bound', fixed_ip: '10.0.0.4' });
  net.addPort('y2', 'y', 'n2', { host: 'h1', status: 'bound', fixed_ip: '10.0.0.4' });
  net.addPort('z2', 'z', 'n2', { host: 'h3', status: 'bound', fixed_ip: '10.0.0.3' });
  net.addPort('p1', UUID, 'n1');
  net.addPort('p2', UUID, 'n2');
  return s;
}

const addresses = async (s: ReturnType<typeof setup>): Promise<Array<[string, string | null, string | null, string]>> =>
  (await s.db.networks.portsOf(UUID)).map(({ port }) => [port.uuid, port.fixed_ip, port.host, port.status]);

describe('the build\'s network step', () => {
  test('ports get their addresses on the claimed host before the create is cast; hosts of a network it joined hear of it', async () => {
    const s = withNetworks();
    await s.task.build(ctx, build);
    assert.deepEqual(await addresses(s), [['p1', '10.0.0.2', 'h1', 'allocated'], ['p2', '10.0.0.2', 'h1', 'allocated']]);
    // h1 is new on n1 (h3 learns it), not on n2 (y holds it there already: nobody's list changes).
    assert.deepEqual(s.sent.trace, ['allocate:h1', 'networkUpdatePeers:h3', 'containerCreate:h1']);
    assert.deepEqual(s.sent.peers, [{ host: 'h3', network_uuid: 'n1', peers: [H1] }]);
  });

  test('a redelivered build keeps the addresses and casts the peers again, of every network it cannot tell about (harmless)', async () => {
    const s = withNetworks();
    await s.task.build(ctx, build);
    const first = await addresses(s);
    await s.task.build(ctx, build);
    assert.deepEqual(await addresses(s), first);
    assert.deepEqual(s.db.networks.allocations, [{ container: UUID, host: 'h1' }, { container: UUID, host: 'h1' }]);
    assert.deepEqual(s.sent.peers.map((p) => [p.host, p.network_uuid, p.peers]), [['h3', 'n1', [H1]], ['h3', 'n1', [H1]], ['h3', 'n2', [H1]]]);
    assert.deepEqual(s.casts.map((c) => c.host), ['h1', 'h1']);
  });

  test('no address left, or the requested one taken → Error with that reason, claim given back, nothing cast, not retried', async () => {
    const exhausted = withNetworks({ h1: 1000, h2: 1000 }, []);
    const taken = withNetworks();
    taken.db.networks.port('p2').requested_ip = '10.0.0.4';
    for (const [s, reason] of [[exhausted, /Network n1 has no free address/], [taken, /10\.0\.0\.4 is in use/]] as const) {
      await s.task.build(ctx, build);
      const c = s.db.container;
      assert.deepEqual([c?.status, c?.host, c?.task_state], ['Error', null, null]);
      assert.match(c?.status_reason ?? '', reason);
      assert.deepEqual([s.db.releases, s.db.used.get('h1'), s.asked.length], [1, 0, 1]);
      assert.deepEqual([s.casts, s.sent.peers], [[], []]);
      assert.deepEqual(await addresses(s), [['p1', null, null, 'pending'], ['p2', null, null, 'pending']], 'nothing allocated');
      assert.deepEqual(s.db.events.map((e) => [e.event, e.result, e.traceback]), [[BUILD_EVENT, 'Error', c?.status_reason]]);
    }
  });

  test('a host whose only port on a network is being detached counts as joining it again', async () => {
    const s = withNetworks();
    s.db.networks.port('y2').status = 'detaching';
    await s.task.build(ctx, build);
    assert.deepEqual(s.sent.peers.map((p) => [p.host, p.network_uuid, p.peers]), [['h3', 'n1', [H1]], ['h3', 'n2', [H1]]]);
  });

  test('a container without ports allocates nothing and tells no one', async () => {
    const s = setup({ h1: 1000 });
    await s.task.build(ctx, build);
    assert.deepEqual(s.sent.trace, ['containerCreate:h1']);
  });

  test('recovery from a dead host keeps the addresses, moves the ports, and tells the others the host changed', async () => {
    const s = withNetworks();
    await s.task.build(ctx, build);
    const outcome = await s.task.recover(UUID, 'h1', 'h1 is down.', { reschedule: true, graceMs: 0 });
    assert.equal(outcome, 'rescheduled');
    assert.deepEqual(await addresses(s), [['p1', '10.0.0.2', 'h2', 'allocated'], ['p2', '10.0.0.2', 'h2', 'allocated']]);
    assert.deepEqual(s.sent.trace.slice(3), ['allocate:h2', 'networkUpdatePeers:h3', 'networkUpdatePeers:h1', 'networkUpdatePeers:h3',
      'containerCreate:h2']);
    // n1: h2 replaced h1 for h3. n2: h2 joined (y keeps h1 on it); h1 and h3 each get their list.
    assert.deepEqual(s.sent.peers.slice(1), [
      { host: 'h3', network_uuid: 'n1', peers: [H2] },
      { host: 'h1', network_uuid: 'n2', peers: [H2, H3] },
      { host: 'h3', network_uuid: 'n2', peers: [H1, H2] },
    ]);
  });
});

describe('networksToAnnounce', () => {
  const port = (network: string, host: string | null): PortWithNetwork =>
    ({ port: { network_uuid: network, host } as NetworkPort, network: { uuid: network } as Network });
  const m = (o: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(o));

  test('the set of addresses grew or shrank, or a port of this container was there already → announce; else not', () => {
    assert.deepEqual(networksToAnnounce([port('a', null)], m({ a: [] }), m({ a: [H1] }), 'h1'), ['a'], 'joined');
    assert.deepEqual(networksToAnnounce([port('a', null)], m({ a: [H1] }), m({ a: [H1] }), 'h1'), [], 'held by another');
    assert.deepEqual(networksToAnnounce([port('a', 'h1')], m({ a: [H1] }), m({ a: [H1] }), 'h1'), ['a'], 'redelivered');
    assert.deepEqual(networksToAnnounce([port('a', 'h0')], m({ a: [H2, H1] }), m({ a: [H1] }), 'h1'), ['a'], 'h0 left');
    assert.deepEqual(networksToAnnounce([port('a', 'h0')], m({ a: [H2, H1] }), m({ a: [H1, H2] }), 'h1'), [], 'h0 stays');
    assert.deepEqual(networksToAnnounce([port('a', null), port('b', null)], m({ a: [], b: [H1] }), m({ a: [H1], b: [H1] }), 'h1'), ['a']);
  });
});
