// The order of a rolling upgrade, Nova's: the new image migrates the database
// first (bootstrap_zun, while the old services run), then the services restart
// conductor → scheduler → api → wsproxy → compute (the control plane before
// the computes, so old computes only ever meet newer control services), each
// `serial` hosts at a time, as Ansible's `serial:` batches a play.

/** Zun's services in upgrade order. */
export const UPGRADE_ORDER = ['zun-conductor', 'zun-scheduler', 'zun-api', 'zun-wsproxy', 'zun-compute'] as const;

/** Splits hosts into batches of `serial` (a count, or a percentage of the hosts rounded down, at least 1); all at once without it. */
export function batches<T>(hosts: T[], serial: string | undefined): T[][] {
  if (!hosts.length) return [];
  let size = hosts.length;
  if (serial !== undefined) {
    size = serial.endsWith('%') ? Math.floor((hosts.length * Number(serial.slice(0, -1))) / 100) : Number(serial);
    size = Math.max(1, Math.min(hosts.length, size));
  }
  const out: T[][] = [];
  for (let i = 0; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
  return out;
}
