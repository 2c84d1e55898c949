import { int, section, str } from './option.dsl';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function ipv4OrEmpty(v: string): string | undefined {
  return v === '' || IPV4.test(v) ? undefined : `'${v}' is not an IPv4 address`;
}

/** `[network]`: project networks (ADR 0007) and the ports containers publish. */
export const networkSection = section('network', 'Project networks of containers and published ports.', {
  driver: str({
    default: 'vxlan',
    help: 'How compute hosts realise project networks. vxlan: a Docker bridge network per project network on ' +
      'each host, joined across hosts by a kernel VXLAN device (ADR 0007). A plug-in (see [DEFAULT] ' +
      'plugin_paths) may add drivers; an unknown name stops zun-compute at start.',
  }),
  underlay_ip: str({
    default: '',
    help: "zun-compute: this host's address on the network between compute hosts that carries the project " +
      'networks (VXLAN, UDP 4789). Empty: the host has no peers, so its containers only reach containers of ' +
      'the same host (fine for an all-in-one).',
    check: ipv4OrEmpty,
  }),
  netns: str({
    default: '',
    help: "zun-compute: run the network driver's host commands (ip, bridge, ebtables, iptables) in this network " +
      'namespace (a path such as /run/netns/host1) instead of the service\'s own; for hosts simulated on one machine.',
  }),
  publish_ip: str({
    default: '',
    help: "zun-compute: the address published ports are reported on (`published_ports[].host_ip`); empty: " +
      'underlay_ip, else 127.0.0.1.',
    check: ipv4OrEmpty,
  }),
  default_pool: str({
    default: '10.200.0.0/16',
    help: 'zun-api: the address range the default network of each project is carved from, one subnet of ' +
      'default_prefix per project (subnets are unique cloud-wide).',
    check: (v) => (/^\d+\.\d+\.\d+\.\d+\/\d{1,2}$/.test(v) ? undefined : `'${v}' is not an IPv4 CIDR`),
  }),
  default_prefix: int({ default: 24, min: 16, max: 29, help: 'zun-api: prefix length of the default network of each project.' }),
  segmentation_id_min: int({
    default: 1,
    min: 1,
    max: 16_000_000,
    help: 'zun-api: the lowest VXLAN network identifier (VNI) handed to a new network; raise it to keep a range ' +
      'free for other users of VXLAN on the same hosts (Neutron calls its range vni_ranges).',
  }),
  idle_network_timeout: int({
    default: 300,
    min: 0,
    unit: 'seconds',
    help: 'zun-compute: how long a project network stays set up on this host after its last container here is ' +
      'deleted (or detached from it), so that the next container on it starts without making it again; ' +
      'zun-compute removes such networks when it stops. 0 removes a network as soon as no container here uses it.',
  }),
  mtu: int({ default: 1450, min: 1280, max: 9000, help: 'MTU of project networks (1450 leaves room for VXLAN on a 1500 underlay).' }),
});
