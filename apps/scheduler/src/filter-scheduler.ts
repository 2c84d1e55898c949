import { inject, injectable, multiInject } from 'inversify';
import { LOGGER, NoValidHost, RequestedHostNotFound, type Logger } from '@zun-ts/common';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import { HOST_FILTER, type HostFilter } from './filters/host-filter';
import { RequestedHostFilter } from './filters/requested-host.filter';
import { VolumeHostFilter } from './filters/volume-host.filter';
import { type HostState, type ScheduleRequest } from './host-state';
import { orderByWeight, RamWeigher } from './weighers/ram.weigher';

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
  private readonly weigher = new RamWeigher();

  /** @throws Error naming every `enabled_filters` entry that matches no available filter. */
  constructor(
    @multiInject(HOST_FILTER) available: HostFilter[],
    @inject(ZUN_CONF) conf: Pick<ZunConf, 'scheduler'>,
    @inject(LOGGER) private readonly logger: Logger,
  ) {
    const byName = new Map(available.map((f) => [f.name, f]));
    const unknown = conf.scheduler.enabled_filters.filter((n) => !byName.has(n));
    if (unknown.length) {
      throw new Error(`[scheduler] enabled_filters: unknown filter(s) ${unknown.join(', ')}; ` +
        `available: ${[...byName.keys()].sort().join(', ')}`);
    }
    this.filters = conf.scheduler.enabled_filters.map((n) => byName.get(n) as HostFilter);
  }

  /**
   * The hosts able to take the container, best first: the caller claims them in this order.
   * @throws RequestedHostNotFound when `requested_host` is not among `hosts` (404)
   * @throws NoValidHost when no host passes
   */
  selectHosts(hosts: readonly HostState[], req: ScheduleRequest): HostState[] {
    if (req.requested_host && !hosts.some((h) => h.hostname === req.requested_host)) {
      throw new RequestedHostNotFound(req.requested_host);
    }
    const ignored = new Set(req.ignore_hosts);
    let candidates = hosts.filter((h) => !ignored.has(h.hostname));
    if (ignored.size) this.logger.debug('ignored hosts already tried', { ignored: [...ignored], hosts: candidates.length });
    if (!candidates.length) this.logger.info('no compute host to schedule on', { known: hosts.length, ignored: ignored.size });

    const steps: readonly HostFilter[] = [
      ...(req.requested_host ? [this.requestedHost] : []),
      ...(req.volume_hosts.length ? [this.volumeHost] : []),
      ...this.filters,
    ];
    const trail: Array<{ filter: string; hosts: number }> = [];
    for (const filter of steps) {
      if (!candidates.length) break;
      candidates = candidates.filter((h) => {
        const passes = filter.hostPasses(h, req);
        if (!passes && filter.rejectReason) this.logger.info('host rejected', { host: h.hostname, filter: filter.name, reason: filter.rejectReason(h, req) });
        return passes;
      });
      trail.push({ filter: filter.name, hosts: candidates.length });
      this.logger.debug('filter returned hosts', { filter: filter.name, hosts: candidates.length });
      // "Which filter removed every host" is the first thing an operator asks.
      if (!candidates.length) this.logger.info('filter removed every host', { filter: filter.name, trail: [...trail] });
    }
    if (!candidates.length) throw new NoValidHost();
    return orderByWeight(candidates, this.weigher, this.random);
  }
}
