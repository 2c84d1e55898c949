import { HostCommandFailed, type HostCommandRunner } from './host-commands';
import { arpChainName, bridgeName, vxlanName } from './vxlan-naming';

/** What `ip -d -j link show` tells about a VXLAN device. */
export interface VxlanDeviceState {
  name: string;
  vni: number;
  local: string | null;
  port: number;
  learning: boolean;
  master: string | null;
  mtu: number;
  up: boolean;
}

/**
 * What is wrong with the VXLAN device of `vni`, as `dev` shows it (null: missing), for a host sending from `underlay`;
 * [] when it is as converging leaves it (enslaved to its bridge, up, this source address).
 */
export function vxlanDeviceProblems(vni: number, dev: VxlanDeviceState | null, underlay: string): string[] {
  const vx = vxlanName(vni);
  if (!dev) return [`VXLAN device ${vx} is missing`];
  const problems: string[] = [];
  if (dev.master !== bridgeName(vni)) problems.push(`${vx} is not enslaved to ${bridgeName(vni)}`);
  if (!dev.up) problems.push(`${vx} is down`);
  if (dev.local !== underlay) problems.push(`${vx} sends from ${String(dev.local)}`);
  return problems;
}

/** The MAC of the flood entries (head-end replication to every peer). */
export const FLOOD_MAC = '00:00:00:00:00:00';

const missing = (err: unknown): boolean =>
  err instanceof HostCommandFailed && /does not exist|cannot find device|no such device/i.test(err.stderr);

interface IpLinkJson {
  ifname?: string;
  flags?: string[];
  mtu?: number;
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; local?: string; port?: number; learning?: boolean } };
}

/** Parses `ip -d -j link show dev X` (one device); null when it is not a VXLAN device. */
export function parseVxlanLink(json: string): VxlanDeviceState | null {
  const [link] = JSON.parse(json) as IpLinkJson[];
  const data = link?.linkinfo?.info_data;
  if (!link || link.linkinfo?.info_kind !== 'vxlan' || !data || typeof data.id !== 'number') return null;
  return {
    name: link.ifname ?? '',
    vni: data.id,
    local: data.local ?? null,
    port: data.port ?? 0,
    learning: data.learning ?? true,
    master: link.master ?? null,
    mtu: link.mtu ?? 0,
    up: (link.flags ?? []).includes('UP'),
  };
}

interface FdbEntry {
  mac?: string;
  dst?: string;
}

/** Parses `bridge -j fdb show dev X`: the destinations of the flood entries. */
export function parseFloodPeers(json: string): string[] {
  const entries = JSON.parse(json || '[]') as FdbEntry[];
  return entries.filter((e) => e.mac === FLOOD_MAC && typeof e.dst === 'string').map((e) => e.dst as string).sort();
}

/** The host's VXLAN devices, bridges and filters, driven through a {@link HostCommandRunner}. */
export class VxlanDataPlane {
  constructor(private readonly run: HostCommandRunner) {}

  async linkExists(name: string): Promise<boolean> {
    try {
      await this.run('ip', ['-j', 'link', 'show', 'dev', name]);
      return true;
    } catch (err) {
      if (missing(err)) return false;
      throw err;
    }
  }

  async readVxlan(name: string): Promise<VxlanDeviceState | null> {
    try {
      return parseVxlanLink(await this.run('ip', ['-d', '-j', 'link', 'show', 'dev', name]));
    } catch (err) {
      if (missing(err)) return null;
      throw err;
    }
  }

  /** Creates or repairs the VXLAN device and enslaves it, up, to `bridge`. */
  async ensureVxlan(o: { name: string; vni: number; local: string; port: number; mtu: number; bridge: string; underlayDevice?: string }): Promise<void> {
    let dev = await this.readVxlan(o.name);
    if (dev && (dev.vni !== o.vni || dev.local !== o.local || dev.port !== o.port)) {
      await this.deleteLink(o.name);
      dev = null;
    }
    if (!dev) {
      const args = ['link', 'add', o.name, 'type', 'vxlan', 'id', String(o.vni), 'dstport', String(o.port), 'local', o.local];
      if (o.underlayDevice) args.push('dev', o.underlayDevice);
      try {
        await this.run('ip', args);
      } catch (err) {
        // a concurrent ensure made it first: fine when it is what we want
        const now = await this.readVxlan(o.name);
        if (!now || now.vni !== o.vni || now.local !== o.local) throw err;
      }
      dev = await this.readVxlan(o.name);
    }
    if (!dev || dev.mtu !== o.mtu) await this.run('ip', ['link', 'set', 'dev', o.name, 'mtu', String(o.mtu)]);
    if (!dev || dev.master !== o.bridge) await this.run('ip', ['link', 'set', 'dev', o.name, 'master', o.bridge]);
    if (!dev || !dev.up) await this.run('ip', ['link', 'set', 'dev', o.name, 'up']);
  }

  async deleteLink(name: string): Promise<void> {
    try {
      await this.run('ip', ['link', 'del', 'dev', name]);
    } catch (err) {
      if (!missing(err)) throw err;
    }
  }

  async floodPeers(name: string): Promise<string[]> {
    try {
      return parseFloodPeers(await this.run('bridge', ['-j', 'fdb', 'show', 'dev', name]));
    } catch (err) {
      if (missing(err)) return [];
      throw err;
    }
  }

  /**
   * Makes the flood entries exactly `peers` (adds the new ones first, then removes the old), and forgets
   * the MACs learned behind a removed peer, so that no unicast goes on to a host that left.
   */
  async setFloodPeers(name: string, peers: readonly string[]): Promise<void> {
    const want = new Set(peers);
    let entries: FdbEntry[];
    try {
      entries = JSON.parse((await this.run('bridge', ['-j', 'fdb', 'show', 'dev', name])) || '[]') as FdbEntry[];
    } catch (err) {
      if (missing(err)) return;
      throw err;
    }
    const have = new Set(entries.filter((e) => e.mac === FLOOD_MAC && e.dst).map((e) => e.dst as string));
    for (const p of want) {
      if (!have.has(p)) await this.run('bridge', ['fdb', 'append', FLOOD_MAC, 'dev', name, 'dst', p]);
    }
    for (const e of entries) {
      if (!e.dst || !e.mac || want.has(e.dst)) continue;
      try {
        await this.run('bridge', ['fdb', 'del', e.mac, 'dev', name, 'dst', e.dst]);
      } catch (err) {
        // a learned entry may age out between the listing and the delete
        if (!(err instanceof HostCommandFailed) || e.mac === FLOOD_MAC) throw err;
      }
    }
  }

  /**
   * Keeps ARP for the gateway address on this side of the VXLAN device: every host's bridge holds the
   * gateway address, and a container must only ever learn its own host's bridge MAC for it.
   */
  async ensureGatewayArpFilter(vni: number, vxlan: string, gateway: string): Promise<void> {
    const chain = arpChainName(vni);
    if (!(await this.ebChainExists(chain))) {
      await this.run('ebtables', ['-N', chain, '-P', 'RETURN']);
    }
    await this.run('ebtables', ['-F', chain]);
    await this.run('ebtables', ['-A', chain, '-p', 'ARP', '--arp-ip-dst', gateway, '-j', 'DROP']);
    await this.run('ebtables', ['-A', chain, '-p', 'ARP', '--arp-ip-src', gateway, '-j', 'DROP']);
    for (const [builtin, dir] of [['INPUT', '-i'], ['FORWARD', '-i'], ['FORWARD', '-o'], ['OUTPUT', '-o']] as const) {
      const rule = [dir, vxlan, '-j', chain];
      if (!(await this.ebRules(builtin)).some((r) => sameRule(r, rule))) await this.run('ebtables', ['-A', builtin, ...rule]);
    }
  }

  async removeGatewayArpFilter(vni: number, vxlan: string): Promise<void> {
    const chain = arpChainName(vni);
    for (const builtin of ['INPUT', 'FORWARD', 'OUTPUT']) {
      for (const r of (await this.ebRules(builtin)).filter((x) => x.includes(`-j ${chain}`) && x.includes(vxlan))) {
        await this.run('ebtables', ['-D', builtin, ...r.split(/\s+/).filter(Boolean)]);
      }
    }
    if (await this.ebChainExists(chain)) {
      await this.run('ebtables', ['-F', chain]);
      await this.run('ebtables', ['-X', chain]);
    }
  }

  /** Whether the gateway ARP filter of `vni` is complete (chain with its rules, and the jumps). */
  async gatewayArpFilterPresent(vni: number, vxlan: string): Promise<boolean> {
    const chain = arpChainName(vni);
    if (!(await this.ebChainExists(chain))) return false;
    if ((await this.ebRules(chain)).length < 2) return false;
    const jumps = [...(await this.ebRules('INPUT')), ...(await this.ebRules('FORWARD')), ...(await this.ebRules('OUTPUT'))];
    return jumps.filter((r) => r.includes(`-j ${chain}`) && r.includes(vxlan)).length >= 4;
  }

  /**
   * Drops VXLAN packets that containers send (forwarded traffic): a container could otherwise craft
   * VXLAN frames for another network's segment, and the host's NAT would make them come from a peer.
   */
  async ensureVxlanInjectionGuard(port: number): Promise<void> {
    const rule = ['-p', 'udp', '--dport', String(port), '-j', 'DROP'];
    for (const chain of ['DOCKER-USER', 'FORWARD']) {
      try {
        await this.run('iptables', ['-w', '-C', chain, ...rule]);
        return;
      } catch (err) {
        if (!(err instanceof HostCommandFailed)) throw err;
        if (/No chain|does not exist/i.test(err.stderr) && chain === 'DOCKER-USER') continue;
      }
      await this.run('iptables', ['-w', '-I', chain, '1', ...rule]);
      return;
    }
  }

  private async ebChainExists(chain: string): Promise<boolean> {
    try {
      await this.run('ebtables', ['-L', chain]);
      return true;
    } catch (err) {
      if (err instanceof HostCommandFailed) return false;
      throw err;
    }
  }

  /** The rules of an ebtables chain, one string each (`-i zvx-7 -j ZUN-GW-7`). */
  private async ebRules(chain: string): Promise<string[]> {
    const out = await this.run('ebtables', ['-L', chain]);
    return out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('-'));
  }
}

function sameRule(listed: string, rule: readonly string[]): boolean {
  return listed.split(/\s+/).filter(Boolean).join(' ') === rule.join(' ');
}
