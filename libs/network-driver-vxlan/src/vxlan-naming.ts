/** The Docker network of a Zun network. */
export const dockerNetworkName = (networkId: string): string => `zun-${networkId}`;
/** The Linux bridge of a segment (15 characters at most: `zbr-` + up to 8 digits). */
export const bridgeName = (vni: number): string => `zbr-${vni}`;
/** The VXLAN device of a segment. */
export const vxlanName = (vni: number): string => `zvx-${vni}`;
/** The ebtables chain holding a segment's gateway ARP filter. */
export const arpChainName = (vni: number): string => `ZUN-GW-${vni}`;

/** Labels on the Docker network: how the driver finds its own networks after a restart. */
export const LABEL_NETWORK_ID = 'zun.network.id';
export const LABEL_PROJECT_ID = 'zun.network.project_id';
export const LABEL_VNI = 'zun.network.vni';
export const LABEL_SHARED = 'zun.network.shared';
export const LABEL_SUBNET_ID = 'zun.network.subnet_id';
export const LABEL_NAME = 'zun.network.name';

/** The VNI a device name encodes (`zvx-42` → 42), or null. */
export function vniOfDevice(name: string): number | null {
  const m = /^z(?:vx|br)-(\d{1,8})$/.exec(name);
  return m ? Number(m[1]) : null;
}
