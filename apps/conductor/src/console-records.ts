import { type ContainerRepository, type ContainerScope, type ExecInstanceRepository } from '@zun-ts/db';
import { type ConsoleTarget, type ConsoleTargetRequest, type ExecInstanceCreateRequest } from '@zun-ts/rpc';

/** Every row, whatever its project: zun-wsproxy looks containers up with an admin, all-projects context (as Zun). */
const ANY: ContainerScope = { projectId: null, allProjects: true, containerType: null };

/**
 * Console sessions as the conductor keeps them for the hosts without database credentials: compute hosts
 * record an interactive exec's token and relay address; zun-wsproxy reads the token and address of the
 * session a client asks for (the attach session is on the container row: `websocket_token`, `websocket_url`).
 */
export class ConsoleRecords {
  constructor(
    private readonly containers: Pick<ContainerRepository, 'getByIdent'>,
    private readonly execs: Pick<ExecInstanceRepository, 'get' | 'upsert'>,
  ) {}

  /** ContainerNotFound (or a 409 for an ambiguous name) propagates; a missing session answers nulls. */
  async target(args: ConsoleTargetRequest): Promise<ConsoleTarget> {
    const c = await this.containers.getByIdent(ANY, args.container);
    if (args.exec_id === null) return { container_uuid: c.uuid, url: c.websocket_url, token: c.websocket_token };
    const exec = await this.execs.get(c.id, args.exec_id);
    return { container_uuid: c.uuid, url: exec?.url ?? null, token: exec?.token ?? null };
  }

  async createExec(args: ExecInstanceCreateRequest): Promise<void> {
    await this.execs.upsert(args.container_uuid, { exec_id: args.exec_id, token: args.token, url: args.url });
  }
}
