import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import {
  Conflict, intToIpv4, InvalidValue, isHostAddress, isIpv4, isUuidLike, NetworkInUse, NetworkNotFound, parseIpv4Cidr, type RequestContext,
} from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type NetworkScope } from '@zun-ts/db';
import { type Network } from '@zun-ts/objects';
import { credentialsFromContext, defaultTarget, type PolicyEnforcer, type PolicyTarget } from '@zun-ts/policy';
import { CONF, CONTAINER_BACKEND, POLICY } from '../../api.tokens';
import { isAllProjects, nextLink, validateLimit, validateSortDir } from '../../http/request-params.parser';
import { type ContainerBackend } from '../containers/container-backend';
import { networkNotFound } from './network.errors';
import { networkView } from './network.view';

/** Prefix lengths a network may have: /16 (65 534 hosts) to /29 (6 hosts). */
export const MIN_NETWORK_PREFIX = 16;
export const MAX_NETWORK_PREFIX = 29;
/** The name of each project's default network (made by the database on a project's first container). */
export const DEFAULT_NETWORK_NAME = 'default';

/** `POST /v1/networks`, schema-checked. */
export interface CreateNetworkRequest {
  name: string;
  cidr: string;
  /** null: the first host address of the subnet. */
  gateway: string | null;
  shared: boolean;
  natEgress: boolean;
  hostUrl: string;
}

/** `GET /v1/networks`: the query as given (checked in the container list's order). */
export interface ListNetworksRequest {
  query: Readonly<Record<string, string>>;
  hostUrl: string;
}

/**
 * The subnet and gateway of a new network: an IPv4 network address with a prefix of /16 to /29 (no host bits
 * set), and a gateway that is one of its host addresses (by default the first).
 */
export function checkSubnet(cidr: string, gateway: string | null): { cidr: string; gateway: string } {
  const subnet = parseIpv4Cidr(cidr);
  if (!subnet) throw new InvalidValue(`Invalid cidr ${cidr}: give an IPv4 network address and prefix length with no host bits set, e.g. 10.1.2.0/24.`);
  if (subnet.prefix < MIN_NETWORK_PREFIX || subnet.prefix > MAX_NETWORK_PREFIX) {
    throw new InvalidValue(`Invalid cidr ${cidr}: the prefix length must be between /${MIN_NETWORK_PREFIX} and /${MAX_NETWORK_PREFIX}.`);
  }
  if (gateway === null) return { cidr, gateway: intToIpv4(subnet.network + 1) };
  if (!isIpv4(gateway) || !isHostAddress(subnet, gateway)) throw new InvalidValue(`Invalid gateway ${gateway}: it must be a host address of ${cidr}.`);
  return { cidr, gateway };
}

/**
 * Project networks (`/v1/networks`, zun-ts's own resource, ADR 0007): project members make their own, admins
 * may share one with every project; list and show cover the caller's project and the shared networks; a
 * network without ports may be deleted by its project. Creating one is a database write only: hosts realise a
 * network when a container on it arrives.
 */
@injectable()
export class NetworkService {
  constructor(
    @inject(CONTAINER_BACKEND) private readonly backend: ContainerBackend,
    @inject(POLICY) private readonly policy: PolicyEnforcer,
    @inject(CONF) private readonly conf: ZunConf,
  ) {}

  private get networks(): ContainerBackend['stores']['networks'] {
    return this.backend.stores.networks;
  }

  async create(ctx: RequestContext, req: CreateNetworkRequest): Promise<Record<string, unknown>> {
    this.policy.authorizeCaller('network:create', ctx);
    if (req.shared) this.policy.authorizeCaller('network:create:shared', ctx);
    const projectId = ctx.projectId;
    if (projectId === null) throw new InvalidValue('Networks belong to a project: use a project-scoped token to create one.');
    // A name that looks like a uuid could never be looked up by name (zun-api.md §2.2).
    if (isUuidLike(req.name)) throw new InvalidValue(`Invalid network name ${req.name}: a name must not look like a uuid.`);
    if (req.name === DEFAULT_NETWORK_NAME) {
      throw new InvalidValue(`Invalid network name ${req.name}: it is reserved for the project's default network.`);
    }
    const { cidr, gateway } = checkSubnet(req.cidr, req.gateway);
    await this.refuseTakenName({ projectId, allProjects: false }, req.name);
    const network = await this.networks.create({
      uuid: randomUUID(),
      name: req.name,
      project_id: projectId,
      user_id: ctx.userId,
      cidr,
      gateway,
      shared: req.shared,
      nat_egress: req.natEgress,
    });
    return networkView(network, this.showsSegmentation(ctx), req.hostUrl);
  }

  /** Names identify networks in `nets` and network_attach: one per name among those a project can use. */
  private async refuseTakenName(scope: NetworkScope, name: string): Promise<void> {
    const existing = await this.networks.getByName(scope, name).catch((e: unknown) => {
      if (e instanceof NetworkNotFound) return null;
      if (e instanceof Conflict) return { uuid: 'several' };
      throw e;
    });
    if (existing) throw new Conflict(`A network named ${name} already exists (${existing.uuid}): network names are unique among the networks a project can use.`);
  }

  /** One page of networks and the `next` link, as the volume list does it. */
  async list(ctx: RequestContext, req: ListNetworksRequest): Promise<{ networks: Record<string, unknown>[]; next: string | null }> {
    this.policy.authorizeCaller('network:get_all', ctx);
    const q: Record<string, string> = { ...req.query };
    const allProjects = isAllProjects(q);
    if (allProjects) this.policy.authorizeCaller('network:get_all_all_projects', ctx);
    const limit = validateLimit(q['limit'], this.conf.api.max_limit);
    const sortDir = validateSortDir(q['sort_dir'] ?? 'asc');
    const sortKey = q['sort_key'] ?? 'id';
    const marker = q['marker'] || null;
    for (const k of ['all_projects', 'limit', 'sort_dir', 'sort_key', 'marker']) delete q[k];
    const unknown = Object.keys(q);
    if (unknown.length) throw new InvalidValue(`Unknown parameters: ${unknown.join(', ')}`);
    const scope: NetworkScope = { projectId: ctx.projectId, allProjects };
    // A marker the caller cannot see is not found, as any of its networks.
    if (marker) await this.networks.getByUuid(scope, marker).catch(notFoundAs(marker));
    const rows = await this.networks.list(scope, { limit, marker, sortKey, sortDir });
    const showSegmentation = this.showsSegmentation(ctx);
    return { networks: rows.map((n) => networkView(n, showSegmentation, req.hostUrl)), next: nextLink(req.hostUrl, 'networks', rows, limit, sortKey, sortDir) };
  }

  /** The caller's project's and the shared networks (an admin's: every network), by uuid or name. */
  async show(ctx: RequestContext, ident: string, hostUrl: string): Promise<Record<string, unknown>> {
    // Checked against the caller's own project: the scoped lookup decides which networks it may see (shared ones too).
    this.policy.authorizeCaller('network:get', ctx);
    const n = await this.lookup(ctx, ident);
    return networkView(n, this.showsSegmentation(ctx), hostUrl);
  }

  /** A network no container is on (409 NetworkInUse otherwise); `network:delete` against its project. */
  async delete(ctx: RequestContext, ident: string): Promise<void> {
    const n = await this.lookup(ctx, ident);
    this.policy.authorize('network:delete', { ...n } as unknown as PolicyTarget, credentialsFromContext(ctx));
    try {
      await this.networks.destroy(n.uuid);
    } catch (e) {
      if (e instanceof NetworkInUse) throw new NetworkInUse(`Network ${n.uuid} is in use: containers are attached to it. Detach them or delete them first.`);
      throw e;
    }
  }

  private lookup(ctx: RequestContext, ident: string): Promise<Network> {
    return this.networks.getByIdent({ projectId: ctx.projectId, allProjects: ctx.isAdmin }, ident).catch(notFoundAs(ident));
  }

  /** `network:get_one:segmentation_id` (admin by default), checked like a container's hidden fields. */
  private showsSegmentation(ctx: RequestContext): boolean {
    const rule = 'network:get_one:segmentation_id';
    return !this.policy.hasRule(rule) || this.policy.enforce(rule, defaultTarget(ctx), credentialsFromContext(ctx));
  }
}

/** Rethrows NetworkNotFound in Zun's words for the name the caller gave. */
function notFoundAs(ident: string): (e: unknown) => never {
  return (e) => {
    throw e instanceof NetworkNotFound ? networkNotFound(ident) : e;
  };
}
