import { NetworkNotFound } from '@zun-ts/common';
import { Invalid, NotSupported } from '../containers/container.errors';

// Errors of the network API, of `nets` on container create and of the container network actions. The class
// name is part of the wire format (`container.<kebab-case class name>`); NetworkNotFound, NetworkInUse,
// NetworkExhausted, IpAddressInUse and NetworkCidrConflict live in libs/common because they cross RPC.

/** 404 for a network the caller cannot use: another project's private network gets the same answer as an unknown one. */
export function networkNotFound(ident: string): NetworkNotFound {
  return new NetworkNotFound(`Network ${ident} could not be found.`);
}

/** 400: Neutron ports (`nets` port=, network_attach/detach `port` of another container) do not exist here. */
export function portsNotSupported(port: string): NotSupported {
  return new NotSupported(
    `Neutron ports are not supported (port ${port}): this deployment has no Neutron. Attach the container to a network by name or uuid instead.`,
  );
}

/** 400: networks are IPv4-only (ADR 0007). */
export function ipv6NotSupported(ip: string): NotSupported {
  return new NotSupported(`IPv6 addresses are not supported (${ip}): networks are IPv4-only; give an IPv4 address of the network's subnet.`);
}

/** 400: security groups are resolved by Neutron, which this deployment does not have. */
export function securityGroupsNotSupported(): NotSupported {
  return new NotSupported(
    'Security groups are not supported: they need Neutron, which this deployment does not have. ' +
      'Use exposed_ports (microversion 1.24 or later) to publish ports of a container.',
  );
}

/** 400: a fixed address outside the network's subnet, or one of its reserved addresses. */
export function badFixedIp(ip: string, network: { name: string; cidr: string; gateway: string }): Invalid {
  if (ip === network.gateway) {
    return new Invalid(`Fixed IP ${ip} is the gateway of network ${network.name}: choose another host address of ${network.cidr}.`);
  }
  return new Invalid(`Fixed IP ${ip} is not a host address of network ${network.name} (${network.cidr}).`);
}

/** 400: network_attach of a network the container is on already. */
export function alreadyAttached(network: string, container: string): Invalid {
  return new Invalid(`Network ${network} is already attached to container ${container}.`);
}

/** 400: network_detach of a network or port the container is not on. */
export function notAttached(what: 'Network' | 'Port', ident: string, container: string): Invalid {
  return new Invalid(`${what} ${ident} is not attached to container ${container}.`);
}
