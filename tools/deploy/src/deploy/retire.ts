// Retiring what a host no longer runs: a host taken out of a group keeps the
// container zun-kolla once started there. deploy finds those by their service
// label and removes them; a zun-compute leaving a host is first disabled in
// Zun (PUT /v1/services/disable with a reason, as an admin), so the scheduler
// places nothing more there and `zun service-list` says why, instead of the row
// going silently "down".
import { ONE_SHOTS } from '../catalogue/services';
import { LABELS } from '../docker/container-spec';
import { type Deployment, endpoints, servicesOn } from '../inventory/deployment';
import { type HostEngine } from './host';
import { adminToken } from './keystone';

export interface Stray {
  host: string;
  service: string;
  container: string;
}

/** The containers zun-kolla started on a host for services the inventory no longer maps there. */
export async function strayContainers(dep: Deployment, engine: HostEngine): Promise<Stray[]> {
  const wanted = new Set(servicesOn(dep, engine.host));
  const oneShots = new Set(Object.keys(ONE_SHOTS));
  return (await engine.listLabelled(LABELS.service))
    .map((c) => ({ host: engine.host, service: c.labels[LABELS.service] ?? '', container: c.name }))
    .filter((c) => c.service && !wanted.has(c.service) && !oneShots.has(c.service));
}

/** The reason recorded on a retired compute service. */
export const retiredReason = (host: string): string => `retired by zun-kolla deploy: ${host} is no longer in group zun-compute`;

/** Disables host's zun-compute through Zun's API; false when Zun has no such service row (never registered). */
export async function disableCompute(zunUrl: string, token: string, host: string, reason: string): Promise<boolean> {
  const q = new URLSearchParams({ host, binary: 'zun-compute', disabled_reason: reason });
  const res = await fetch(`${zunUrl}/v1/services/disable?${q.toString()}`, {
    method: 'PUT',
    headers: { 'x-auth-token': token, 'openstack-api-version': 'container 1.40' },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status === 404) return false;
  if (res.status >= 400) throw new Error(`Zun PUT /v1/services/disable (${host}): ${res.status} ${text.slice(0, 300)}`);
  return true;
}

/** Zun's API as the deployment reaches it (the VIP with haproxy, else the first zun-api host's address via the FQDN). */
export function zunUrl(dep: Deployment): string {
  const g = dep.globals;
  return `http://${g.kolla_internal_fqdn.includes(':') ? `[${g.kolla_internal_fqdn}]` : g.kolla_internal_fqdn}:${g.zun_api_port}`;
}

/**
 * Removes the stray containers of the given hosts; returns what it did, one line each.
 * A compute service is disabled before its container goes.
 */
export async function retire(dep: Deployment, strays: Stray[], engine: (h: string) => HostEngine): Promise<string[]> {
  const done: string[] = [];
  let token: string | null = null;
  for (const s of strays) {
    if (s.service === 'zun-compute' && dep.globals.enable_zun) {
      token ??= await adminToken(endpoints(dep).keystoneInternal, dep.passwords.keystone_admin_password);
      const disabled = await disableCompute(zunUrl(dep), token, s.host, retiredReason(s.host));
      done.push(`${s.host}/${s.container}: compute service ${disabled ? 'disabled' : 'not registered'}`);
    }
    await engine(s.host).remove(s.container);
    done.push(`${s.host}/${s.container}: removed (${s.service} no longer mapped to ${s.host})`);
  }
  return done;
}
