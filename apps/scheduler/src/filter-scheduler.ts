import { inject, injectable, multiInject } from 'inversify';
import { LOGGER, NoValidHost, RequestedHostNotFound, type Logger } from '@zun-ts/common';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import { codeNameLabel, schedulerMetrics } from '@zun-ts/metrics';
import { HOST_FILTER, type HostFilter } from './filters/host-filter';
import { RequestedHostFilter } from './filters/requested-host.filter';
import { VolumeHostFilter } from './filters/volume-host.filter';
import { type HostState, type ScheduleRequest } from './host-state';
import { HOST_WEIGHER, type HostWeigher, orderByWeight, RamWeigher, type WeigherInUse } from './weighers/ram.weigher';

/**
 * Zun's filter scheduler without Placement: keep the hosts every enabled filter passes, in
 * `[scheduler] enabled_filters` order, and rank them for claiming. Two filters run whatever the configuration,
 * first, when the request needs them: RequestedHostFilter (an admin named a host) and VolumeHostFilter (the
 * container's volumes are on a host already).
 */
@injectable()
export class FilterScheduler {
  /** The enabled filters, in configured order. */
  readonly filters: readonly HostFilter[];
  /** Tie-break source for hosts of equal weight; replaceable in tests. */
  random: () => number = Math.random;
  private readonly requestedHost = new RequestedHostFilter();
  private readonly volumeHost = new VolumeHostFilter();
  /** The enabled weighers with their multipliers, in configured order. */
  readonly weighers: readonly WeigherInUse[];
  /** `[scheduler] hosts_per_decision`: how many hosts a decision returns. */
  readonly hostsPerDecision: number;

  /**
   * `moreWeighers` (the plug-ins') come beside the built-in RamWeigher.
   * @throws Error naming every `enabled_filters` / `enabled_weighers` entry that matches nothing available.
   */
  constructor(
    @multiInject(HOST_FILTER) available: HostFilter[],
    @inject(ZUN_CONF) conf: Pick<ZunConf, 'scheduler'>,
    @inject(LOGGER) private readonly logger: Logger,
    @multiInject(HOST_WEIGHER) moreWeighers: HostWeigher[] = [],
  ) {
    const byName = uniqueByName('filter', available);
    const unknown = conf.scheduler.enabled_filters.filter((n) => !byName.has(n));
    if (unknown.length) {
      throw new Error(`[scheduler] enabled_filters: unknown filter(s) ${unknown.join(', ')}; ` +
        `available: ${[...byName.keys()].sort().join(', ')}`);
    }
    this.filters = conf.scheduler.enabled_filters.map((n) => byName.get(n) as HostFilter);
    this.hostsPerDecision = conf.scheduler.hosts_per_decision;
    this.weighers = selectWeighers([new RamWeigher(), ...moreWeighers], conf.scheduler.enabled_weighers ?? ['RamWeigher'], conf.scheduler.weight_multipliers ?? []);
  }

  /**
   * The best `limit` (`[scheduler] hosts_per_decision`) of the hosts able to take the container, best first: the
   * caller claims them in this order. The others are not ranked (no sort of every fitting host).
   * @throws RequestedHostNotFound when `requested_host` is not among `hosts` (404)
   * @throws NoValidHost when no host passes
   */
  selectHosts(hosts: readonly HostState[], req: ScheduleRequest, limit = this.hostsPerDecision): HostState[] {
    const m = schedulerMetrics();
    const end = m.duration.startTimer();
    try {
      const chosen = this.filterAndWeigh(hosts, req, limit);
      m.decisions.inc({ outcome: 'selected' });
      return chosen;
    } catch (err) {
      m.decisions.inc({ outcome: err instanceof NoValidHost ? 'no_valid_host' : err instanceof RequestedHostNotFound ? 'requested_host_not_found' : 'error' });
      throw err;
    } finally {
      end();
    }
  }

  private filterAndWeigh(hosts: readonly HostState[], req: ScheduleRequest, limit: number): HostState[] {
    if (req.requested_host && !hosts.some((h) => h.hostname === req.requested_host)) {
      throw new RequestedHostNotFound(req.requested_host);
    }
    const ignored = new Set(req.ignore_hosts);
    const steps: readonly HostFilter[] = [
      ...(req.requested_host ? [this.requestedHost] : []),
      ...(req.volume_hosts.length ? [this.volumeHost] : []),
      ...this.filters,
    ];
    // One pass over the hosts, each through the filters in order until one rejects it (no array per filter):
    // reached[i] hosts came to filter i, reached[i + 1] passed it.
    const reached = new Uint32Array(steps.length + 1);
    const candidates: HostState[] = [];
    for (const h of hosts) {
      if (ignored.size && ignored.has(h.hostname)) continue;
      reached[0] = (reached[0] as number) + 1;
      let i = 0;
      for (; i < steps.length; i++) {
        const filter = steps[i] as HostFilter;
        if (!filter.hostPasses(h, req)) {
          if (filter.rejectReason) this.logger.info('host rejected', { host: h.hostname, filter: filter.name, reason: filter.rejectReason(h, req) });
          break;
        }
        reached[i + 1] = (reached[i + 1] as number) + 1;
      }
      if (i === steps.length) candidates.push(h);
    }
    if (ignored.size) this.logger.debug('ignored hosts already tried', { ignored: [...ignored], hosts: reached[0] });
    if (!reached[0]) this.logger.info('no compute host to schedule on', { known: hosts.length, ignored: ignored.size });
    const trail: Array<{ filter: string; hosts: number }> = [];
    const rejections = schedulerMetrics().rejections;
    for (let i = 0; i < steps.length && reached[i]; i++) {
      const filter = steps[i] as HostFilter;
      const passed = reached[i + 1] as number;
      // Once per decision in which the filter rejected any host, not once per host (1,000 increments a decision).
      if (passed < (reached[i] as number)) rejections.inc({ filter: codeNameLabel(filter.name) });
      trail.push({ filter: filter.name, hosts: passed });
      this.logger.debug('filter returned hosts', { filter: filter.name, hosts: passed });
      // "Which filter removed every host" is the first thing an operator asks.
      if (!passed) this.logger.info('filter removed every host', { filter: filter.name, trail: [...trail] });
    }
    if (!candidates.length) throw new NoValidHost();
    return orderByWeight(candidates, this.weighers, this.random, req, limit);
  }
}

/**
 * The weighers `enabled` names, with their multipliers from `Name:number` entries (1.0 when not listed).
 * @throws Error naming unknown weighers (in either option) and listing the available ones.
 */
export function selectWeighers(available: readonly HostWeigher[], enabled: readonly string[], multipliers: readonly string[]): WeigherInUse[] {
  const byName = uniqueByName('weigher', available);
  const factor = new Map<string, number>();
  for (const entry of multipliers) {
    const at = entry.lastIndexOf(':');
    factor.set(entry.slice(0, at).trim(), Number(entry.slice(at + 1)));
  }
  const listing = `available: ${[...byName.keys()].sort().join(', ')}`;
  const unknown = enabled.filter((n) => !byName.has(n));
  if (unknown.length) throw new Error(`[scheduler] enabled_weighers: unknown weigher(s) ${unknown.join(', ')}; ${listing}`);
  const stray = [...factor.keys()].filter((n) => !enabled.includes(n));
  if (stray.length) throw new Error(`[scheduler] weight_multipliers: ${stray.join(', ')} not in enabled_weighers (${enabled.join(', ') || 'none'}); ${listing}`);
  return enabled.map((n) => ({ weigher: byName.get(n) as HostWeigher, multiplier: factor.get(n) ?? 1 }));
}

/** Elements by name; two of one name (a plug-in's named like a built-in, or two plug-ins') is an error. */
function uniqueByName<T extends { readonly name: string }>(what: string, elements: readonly T[]): Map<string, T> {
  const byName = new Map<string, T>();
  for (const e of elements) {
    if (byName.has(e.name)) throw new Error(`[scheduler] two ${what}s are named ${e.name} (a plug-in's ${what} may not take the name of a built-in one)`);
    byName.set(e.name, e);
  }
  return byName;
}
