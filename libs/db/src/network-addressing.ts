import { intToIpv4, ipv4ToInt, type Ipv4Subnet, parseIpv4Cidr } from '@zun-ts/common';

// The choices the network repository makes inside its transactions: the lowest free host address of a
// subnet, the lowest free subnet of a pool, the lowest free segmentation id. Pure, so they are unit-tested.

/** Number of addresses of a subnet. */
export function subnetSize(subnet: Ipv4Subnet): number {
  return 2 ** (32 - subnet.prefix);
}

/** `10.1.2.0/24`: the canonical text of a subnet. */
export function formatCidr(subnet: Ipv4Subnet): string {
  return `${intToIpv4(subnet.network)}/${subnet.prefix}`;
}

/**
 * The lowest host address of the subnet that is neither the gateway nor in `used` (ints), or null when none is
 * left. Never the network or broadcast address.
 */
export function lowestFreeHost(subnet: Ipv4Subnet, gateway: string, used: ReadonlySet<number>): string | null {
  const gw = ipv4ToInt(gateway);
  const last = subnet.network + subnetSize(subnet) - 2;
  for (let n = subnet.network + 1; n <= last; n++) {
    if (n !== gw && !used.has(n)) return intToIpv4(n);
  }
  return null;
}

/**
 * The lowest `/prefix` subnet of `pool` that overlaps none of `taken` (CIDRs; malformed ones are ignored), or
 * null when the pool has none left. Throws RangeError when `prefix` is shorter than the pool's.
 */
export function lowestFreeSubnet(pool: Ipv4Subnet, prefix: number, taken: readonly string[]): Ipv4Subnet | null {
  if (prefix < pool.prefix || prefix > 32) throw new RangeError(`a /${prefix} subnet does not fit the pool ${formatCidr(pool)}`);
  const size = 2 ** (32 - prefix);
  const poolEnd = pool.network + subnetSize(pool);
  const busy = taken
    .map((c) => parseIpv4Cidr(c))
    .filter((s): s is Ipv4Subnet => s !== null)
    .map((s) => ({ start: s.network, end: s.network + subnetSize(s) }))
    .filter((r) => r.end > pool.network && r.start < poolEnd)
    .sort((a, b) => a.start - b.start);
  let candidate = pool.network;
  for (const r of busy) {
    if (candidate + size > poolEnd) return null;
    if (r.end <= candidate) continue;
    if (r.start >= candidate + size) break;
    // Overlaps: the next aligned subnet after this range.
    candidate = Math.ceil(r.end / size) * size;
  }
  return candidate + size <= poolEnd ? { network: candidate, prefix } : null;
}

/**
 * The next segmentation id (VNI): one above the highest in use, and at least `min`. A gap left by a deleted network
 * is not filled: a host that still holds the old network's devices (down while it was deleted) must never find its
 * VNI given to another network (ADR 0007). Ids are only reused once the highest network goes as well.
 */
export function nextSegmentationId(used: readonly number[], min = 1): number {
  const highest = used.reduce((m, n) => Math.max(m, n), min - 1);
  return Math.max(highest + 1, min);
}
