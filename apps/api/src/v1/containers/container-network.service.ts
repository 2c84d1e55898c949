import { randomUUID } from 'node:crypto';
import { injectable, injectFromBase } from 'inversify';
import { Conflict, IpAddressInUse, NetworkExhausted, type RequestContext } from '@zun-ts/common';
import { type NetworkScope, type PortWithNetwork } from '@zun-ts/db';
import { type Container, type Network } from '@zun-ts/objects';
import { alreadyAttached, notAttached, portsNotSupported, securityGroupsNotSupported } from '../networks/network.errors';
import { checkFixedIp, findUsableNetwork } from './container-nets.mapper';
import { ContainerServiceBase } from './container-service.base';

/** `network_attach`: a network by uuid or name (optionally a fixed IPv4 address), or a Neutron port (refused). */
export interface NetworkAttachRequest {
  network: string | null;
  port: string | null;
  fixedIp: string | null;
}

/** `network_detach`: exactly one of a network (uuid or name) or one of the container's ports (uuid). */
export interface NetworkDetachRequest {
  network: string | null;
  port: string | null;
}

/**
 * The container's networks after create: network_attach and network_detach (Zun's, over project networks
 * instead of Neutron), and the security-group actions, which need Neutron and are refused. The API allocates
 * or marks the port in the database and casts to the container's host, which plugs or unplugs it and saves
 * `addresses` (what network_list shows).
 */
@injectable()
@injectFromBase()
export class ContainerNetworkService extends ContainerServiceBase {
  /**
   * Allocates a port on the network now (so an exhausted network or a taken address is a 409 at once), sets
   * task `network_attaching`, records `network_attach` and casts networkAttach. Zun's order of checks: lookup,
   * policy, then the parameters; the container may not be on the network already (400).
   */
  async attach(ctx: RequestContext, ident: string, req: NetworkAttachRequest): Promise<void> {
    const c = await this.load(ctx, ident, 'container:network_attach', 'network_attach');
    if (req.port !== null) throw portsNotSupported(req.port);
    const host = this.requireHost(c);
    const name = req.network ?? '';
    const network = await findUsableNetwork({ findNetwork: (n) => this.stores.networks.getByIdent(containerScope(c), n) }, name);
    if (req.fixedIp !== null) checkFixedIp(req.fixedIp, network);
    const ports = await this.stores.networks.portsOf(c.uuid);
    if (ports.some((p) => p.network.uuid === network.uuid)) throw alreadyAttached(name, c.uuid);
    const portUuid = randomUUID();
    await this.castOperation(ctx, c, {
      check: 'network_attach',
      action: 'network_attach',
      taskState: 'network_attaching',
      method: 'networkAttach',
      args: { container_uuid: c.uuid, port_uuid: portUuid },
      prepare: async () => {
        try {
          await this.stores.networks.addPort({
            port_uuid: portUuid,
            container_uuid: c.uuid,
            project_id: c.project_id,
            network_uuid: network.uuid,
            requested_ip: req.fixedIp,
            host,
          });
        } catch (e) {
          // A racing attach of the same network won: the same answer as when it had been seen above.
          if (e instanceof Conflict && !(e instanceof NetworkExhausted) && !(e instanceof IpAddressInUse)) throw alreadyAttached(name, c.uuid);
          throw e;
        }
      },
      undo: () => this.stores.networks.deletePort(portUuid),
    });
  }

  /**
   * Marks the container's port on the network (or the port named) `detaching`, sets task `network_detaching`,
   * records `network_detach` and casts networkDetach; the host unplugs it and releases the row. A container may
   * lose its last network: it keeps running without a NIC (Docker's `none`), as it would under Zun.
   */
  async detach(ctx: RequestContext, ident: string, req: NetworkDetachRequest): Promise<void> {
    const c = await this.load(ctx, ident, 'container:network_detach', 'network_detach');
    const target = await this.attachedPort(c, req);
    this.requireHost(c);
    const { port } = target;
    const previous = port.status;
    await this.castOperation(ctx, c, {
      check: 'network_detach',
      action: 'network_detach',
      taskState: 'network_detaching',
      method: 'networkDetach',
      args: { container_uuid: c.uuid, port_uuid: port.uuid },
      prepare: async () => {
        await this.stores.networks.updatePort(port.uuid, { status: 'detaching' });
      },
      undo: async () => {
        await this.stores.networks.updatePort(port.uuid, { status: previous });
      },
    });
  }

  /** The container's port the detach names; 400 when the container is not on it (404 for a network nobody can see). */
  private async attachedPort(c: Container, req: NetworkDetachRequest): Promise<PortWithNetwork> {
    const ports = await this.stores.networks.portsOf(c.uuid);
    if (req.port !== null) {
      const byPort = ports.find((p) => p.port.uuid === req.port);
      if (!byPort) throw notAttached('Port', req.port, c.uuid);
      return byPort;
    }
    const name = req.network ?? '';
    const byUuid = ports.find((p) => p.network.uuid === name);
    if (byUuid) return byUuid;
    const byName = ports.filter((p) => p.network.name === name);
    if (byName.length === 1 && byName[0]) return byName[0];
    // Not (or not unambiguously) among its ports: Zun resolves the network first (404, or 409 for a name
    // several networks have), then says it is not attached.
    const network: Network = await findUsableNetwork({ findNetwork: (n) => this.stores.networks.getByIdent(containerScope(c), n) }, name);
    const onIt = ports.find((p) => p.network.uuid === network.uuid);
    if (onIt) return onIt;
    throw notAttached('Network', name, c.uuid);
  }

  /** add_security_group (≤1.14): looked up and authorised as Zun does, then refused: groups need Neutron. */
  async addSecurityGroup(ctx: RequestContext, ident: string): Promise<never> {
    await this.load(ctx, ident, 'container:add_security_group');
    throw securityGroupsNotSupported();
  }

  /** remove_security_group (≤1.14): as {@link addSecurityGroup}. */
  async removeSecurityGroup(ctx: RequestContext, ident: string): Promise<never> {
    await this.load(ctx, ident, 'container:remove_security_group');
    throw securityGroupsNotSupported();
  }
}

/** The networks a container may be on: its project's and the shared ones (whoever asks, admins included). */
function containerScope(c: Container): NetworkScope {
  return { projectId: c.project_id, allProjects: false };
}
