import { inject, injectable } from 'inversify';
import { ComputeNodeNotFound, isUuidLike, type RequestContext } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type ComputeNode } from '@zun-ts/objects';
import { type PolicyEnforcer } from '@zun-ts/policy';
import { CONF, CONTAINER_BACKEND, POLICY } from '../../api.tokens';
import { validateLimit, validateSortDir } from '../../http/request-params.parser';
import { type ContainerBackend } from '../containers/container-backend';

/** `GET /v1/hosts` paging parameters as given (checked after the policy, as in Zun). */
export interface ListHostsRequest {
  limit?: string;
  sortKey?: string;
  sortDir?: string;
  marker?: string;
}

/** One page of compute nodes and how it was cut (for the `next` link). */
export interface HostPage {
  nodes: ComputeNode[];
  limit: number;
  sortKey: string;
  sortDir: 'asc' | 'desc';
}

/** The compute nodes (`/v1/hosts`, admin by default). */
@injectable()
export class HostService {
  constructor(
    @inject(CONTAINER_BACKEND) private readonly backend: ContainerBackend,
    @inject(POLICY) private readonly policy: PolicyEnforcer,
    @inject(CONF) private readonly conf: ZunConf,
  ) {}

  async list(ctx: RequestContext, req: ListHostsRequest): Promise<HostPage> {
    this.policy.authorizeCaller('host:get_all', ctx);
    const limit = validateLimit(req.limit, this.conf.api.max_limit);
    const sortDir = validateSortDir(req.sortDir ?? 'asc');
    const sortKey = req.sortKey ?? 'hostname';
    const marker = req.marker || null;
    const nodes = this.backend.stores.computeNodes;
    if (marker) {
      if (!isUuidLike(marker)) throw new ComputeNodeNotFound(`Compute node ${marker} could not be found.`);
      await nodes.getByIdent(marker);
    }
    return { nodes: await nodes.list({ limit, marker, sortKey, sortDir }), limit, sortKey, sortDir };
  }

  /** By hostname or uuid. */
  async show(ctx: RequestContext, ident: string): Promise<ComputeNode> {
    this.policy.authorizeCaller('host:get', ctx);
    return this.backend.stores.computeNodes.getByIdent(ident);
  }
}
