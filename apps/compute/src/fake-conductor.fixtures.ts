// Builders for unit tests of the compute host (not used at run time).
import { Conflict, ContainerNotFound, type RequestContext } from '@zun-ts/common';
import { type ComputeNodeInventory, type Container, type HostContainerPatch } from '@zun-ts/objects';
import { CONDUCTOR, type ConductorRpcApi, type CreateFailureReport, localClient } from '@zun-ts/rpc';
import { type ConductorApi, type SaveGuard } from './conductor-api';

/** A container record with Zun's defaults. */
export function fakeContainer(patch: Partial<Container> = {}): Container {
  return {
    id: 1, uuid: '3f0e6a1c-2b4d-4e5f-8a9b-0c1d2e3f4a5b', container_type: 0, name: 'web', project_id: 'p', user_id: 'u', image: 'busybox',
    image_driver: null, image_pull_policy: 'ifnotpresent', registry_id: null, cpu: 0.5, cpu_policy: 'shared', cpuset: null, memory: '64',
    disk: 0, command: ['sleep', '100'], entrypoint: null, status: 'Creating', status_reason: null, status_detail: null, task_state: null,
    environment: { A: '1' }, workdir: null, ports: null, exposed_ports: null, hostname: null, labels: { app: 'x' }, addresses: null,
    host: 'cn1', restart_policy: null, interactive: false, tty: false, auto_remove: false, auto_heal: false, privileged: false, runtime: null,
    healthcheck: null, security_groups: null, container_id: null, websocket_url: null, websocket_token: null, capsule_id: null,
    started_at: null, annotations: null, cni_metadata: null, created_at: new Date(), updated_at: null, ...patch,
  };
}

/**
 * The conductor, in memory: records, guarded saves, reports, inventories and events. The code under test
 * reaches it through {@link client}, the same typed client (and schemas) as over RPC.
 */
export class FakeConductor implements Partial<ConductorRpcApi> {
  readonly rows = new Map<string, Container>();
  readonly saves: Array<{ uuid: string; patch: HostContainerPatch; expected?: SaveGuard }> = [];
  readonly reports: CreateFailureReport[] = [];
  readonly inventories: Array<{ hostname: string; inventory: ComputeNodeInventory }> = [];
  readonly events: string[] = [];
  readonly destroyed: string[] = [];

  /** A conductor client presenting the identity of compute host `host`, as the compute host's transport would. */
  client(host = 'cn1'): ConductorApi {
    return localClient(CONDUCTOR, this, { host, binary: 'zun-compute' });
  }

  put(c: Container): Container {
    this.rows.set(c.uuid, { ...c });
    return c;
  }

  row(uuid: string): Container {
    const c = this.rows.get(uuid);
    if (!c) throw new Error(`no row ${uuid}`);
    return c;
  }

  async containerGet(_ctx: RequestContext, args: { container_uuid: string }): Promise<Container> {
    const c = this.rows.get(args.container_uuid);
    if (!c) throw new ContainerNotFound(`Container ${args.container_uuid} could not be found.`);
    return { ...c };
  }

  async containersOnHost(_ctx: RequestContext, args: { host: string }): Promise<Container[]> {
    return [...this.rows.values()].filter((c) => c.host === args.host && c.container_type === 0).map((c) => ({ ...c }));
  }

  async containerSave(_ctx: RequestContext, args: { container_uuid: string; patch: HostContainerPatch; expected?: SaveGuard }): Promise<Container> {
    const c = this.rows.get(args.container_uuid);
    if (!c) throw new ContainerNotFound(`Container ${args.container_uuid} could not be found.`);
    const e = args.expected;
    if ((e?.status && !e.status.includes(c.status)) || (e?.task_state && !e.task_state.includes(c.task_state))) {
      throw new Conflict(`Container ${c.uuid} is in ${c.status} state (task ${c.task_state})`);
    }
    Object.assign(c, args.patch);
    this.saves.push({ uuid: c.uuid, patch: args.patch, ...(e ? { expected: e } : {}) });
    return { ...c };
  }

  async containerDestroy(_ctx: RequestContext, args: { container_uuid: string }): Promise<void> {
    if (this.rows.delete(args.container_uuid)) this.destroyed.push(args.container_uuid);
  }

  async computeNodeUpdate(_ctx: RequestContext, args: { hostname: string; inventory: ComputeNodeInventory }): Promise<void> {
    this.inventories.push(args);
  }

  async actionEventStart(_ctx: RequestContext, args: { event: string }): Promise<void> {
    this.events.push(`start ${args.event}`);
  }

  async actionEventFinish(_ctx: RequestContext, args: { event: string; result: string }): Promise<void> {
    this.events.push(`${args.result} ${args.event}`);
  }

  async actionFinish(): Promise<void> {
    this.events.push('finish action');
  }

  async reportCreateFailure(_ctx: RequestContext, args: CreateFailureReport): Promise<void> {
    this.reports.push(args);
  }
}
