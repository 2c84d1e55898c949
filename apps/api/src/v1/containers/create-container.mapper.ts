import { randomInt, randomUUID } from 'node:crypto';
import { InvalidValue, type RequestContext, RequestedHostNotFound, splitShellWords } from '@zun-ts/common';
import { type MountPlan, type NewContainer, type PortPlan, type QuotaDeltas } from '@zun-ts/db';
import { type CpuPolicy, type Healthcheck, type Network, type Registry, type RestartPolicy, type RestartPolicyName, type Volume } from '@zun-ts/objects';
import { type BuildContainerRequest } from '@zun-ts/rpc';
import { ApiVersion } from '../../http/api-version';
import { planMounts, requestedVolumeGiB } from './container-mounts.mapper';
import { planNets } from './container-nets.mapper';
import { securityGroupsNotSupported } from '../networks/network.errors';
import { DEFAULT_CPU, DEFAULT_IMAGE_DRIVER, DEFAULT_MEMORY } from './parameter-types.schema';
import { pyStr } from '../../http/python-repr.util';
import { strictBool, versionCheck } from '../../http/request-params.parser';

const GREEK = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu',
  'xi', 'omicron', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega'];

/** Zun's generated container name: `<greek letter>-<1..24>-container`, e.g. `zeta-7-container`. */
export function generateContainerName(): string {
  return `${GREEK[randomInt(GREEK.length)] as string}-${randomInt(1, 25)}-container`;
}

/** What the create handler needs besides the request. */
export interface CreateDeps {
  version: ApiVersion;
  ctx: RequestContext;
  /** Throws PolicyNotAuthorized (403) unless the caller passes the rule. */
  authorize(rule: string): void;
  /** Quota enforcement, when configured: checked before defaults are applied. */
  checkQuota?(deltas: QuotaDeltas): Promise<void>;
  /** Whether a compute node has this hostname (the 1.39 `host` parameter). */
  computeNodeExists(hostname: string): Promise<boolean>;
  /** The caller's volume (its own project) by uuid or name, for `mounts`; throws VolumeNotFound. */
  findVolume(ident: string): Promise<Volume>;
  /** A network the caller's project may use (its own or shared) by uuid or name, for `nets`; throws NetworkNotFound. */
  findNetwork(ident: string): Promise<Network>;
  /** The project's default network (made when it has none), for a create without `nets`. */
  defaultNetwork(): Promise<Network>;
  /** A registry of the caller's own project by uuid or name, for the 1.31 `registry`; throws RegistryNotFound (404). */
  findRegistry(ident: string): Promise<Registry>;
  /** `[DEFAULT] image_driver_list` and `default_image_driver`; absent: Zun's defaults. */
  imageDrivers?: { enabled: readonly string[]; default: string };
}

/** The row to insert and the request to the conductor. */
export interface CreatePlan {
  container: NewContainer & { uuid: string };
  build: Omit<BuildContainerRequest, 'container_uuid'>;
  /** What the create adds to the project's usage: the requested (not defaulted) resources, as Zun counts them. */
  quotaDeltas: QuotaDeltas;
  /** The mounts, written with the container row. */
  mounts: MountPlan;
  /** The ports (one per network, in order), written with the container row. */
  ports: PortPlan;
}

const BOOLS = 'run or interactive';

/** A request without a project (a domain- or system-scoped token) has no networks to put a container on. */
function noProjectForNetworks(): InvalidValue {
  return new InvalidValue('Networks belong to a project: use a project-scoped token to create a container on them.');
}
const V1_11 = new ApiVersion(1, 11);
const V1_20 = new ApiVersion(1, 20);
const V1_36 = new ApiVersion(1, 36);

function present(params: Readonly<Record<string, unknown>>, key: string): boolean {
  return params[key] !== undefined && params[key] !== null;
}

function stringMap(v: unknown): Record<string, string> | null {
  if (v === null || v === undefined || typeof v !== 'object') return null;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, pyStr(x)]));
}

/** An empty command/entrypoint means "the image's own", as it does for Zun's compute. */
function argv(v: unknown): string[] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  return v.map(pyStr);
}

/** Python's int() of a digit string or number (schema-checked before). */
function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(String(v).trim());
}

/** Zun's check_for_restart_policy: retry count defaults to 0 and only makes sense with on-failure. */
export function normaliseRestartPolicy(rp: Readonly<Record<string, unknown>>): RestartPolicy {
  const name = rp['Name'] as RestartPolicyName;
  const raw = rp['MaximumRetryCount'];
  let count = raw === undefined || raw === null ? '0' : pyStr(raw);
  const n = Number.parseInt(count, 10);
  if ((name === 'unless-stopped' || name === 'always') && n !== 0) {
    throw new InvalidValue(`maximum retry count not valid with restart policy of ${name}`);
  }
  if (name === 'no') count = '0';
  return { Name: name, MaximumRetryCount: count };
}

/** Zun's build_exposed_ports: `"80"` → `"80/tcp"`; the protocol must be tcp or udp, the port an integer. */
export function buildExposedPorts(ports: Readonly<Record<string, unknown>>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(ports)) {
    const parts = key.split('/');
    const [port, protocol] = parts.length === 2 ? (parts as [string, string]) : [key, 'tcp'];
    if (protocol !== 'tcp' && protocol !== 'udp') throw new InvalidValue(`value ${protocol} is an invalid protocol`);
    if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(port)) throw new InvalidValue(`value ${port} is invalid as publish port.`);
    out[`${port}/${protocol}`] = (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  }
  return out;
}

/**
 * Turns a schema-valid create request into the record to insert, in Zun's order of checks:
 * strict booleans, quota, then each parameter's microversion and policy.
 */
export async function planCreate(params: Readonly<Record<string, unknown>>, runParam: unknown, deps: CreateDeps): Promise<CreatePlan> {
  const { version, ctx } = deps;
  const c: NewContainer & { uuid: string } = { uuid: randomUUID(), status: 'Creating' };
  // Before 1.20 the command is a string, split shell-style first ('"nginx" "-g" "daemon off;"' → 3 words).
  const cmd = params['command'];
  c.command = typeof cmd === 'string' ? argv(splitShellWords(cmd)) : argv(cmd);

  // Zun resolves security groups to ids through Neutron, at this point of its checks; there is none here.
  const groups = params['security_groups'];
  if (Array.isArray(groups) && groups.length) throw securityGroupsNotSupported();

  const run = runParam === undefined ? false : strictBool(runParam, BOOLS);
  c.interactive = present(params, 'interactive') ? strictBool(params['interactive'], BOOLS) : false;
  if (present(params, 'tty')) c.tty = strictBool(params['tty'], BOOLS);
  // 1.20–1.35 make tty follow interactive; from 1.36 the client sends tty itself.
  if (!version.lt(V1_20) && version.lt(V1_36) && present(params, 'interactive')) c.tty = c.interactive;

  const n = (k: string): number => (present(params, k) ? toNumber(params[k]) : 0);
  const mounts = Array.isArray(params['mounts']) ? (params['mounts'] as unknown[]) : [];
  // New volumes count as disk; before 1.11 mounts are refused below, so they count for nothing.
  const volumeGiB = version.lt(V1_11) ? 0 : requestedVolumeGiB(mounts);
  const quotaDeltas: QuotaDeltas = { containers: 1, cpu: n('cpu'), memory: n('memory'), disk: n('disk') + volumeGiB };
  if (deps.checkQuota) await deps.checkQuota(quotaDeltas);

  if (present(params, 'auto_remove')) {
    versionCheck(version, 'auto_remove', '1.3');
    c.auto_remove = strictBool(params['auto_remove'], 'auto_remove');
  }
  if (present(params, 'runtime')) {
    versionCheck(version, 'runtime', '1.5');
    deps.authorize('container:create:runtime');
    c.runtime = String(params['runtime']);
  }
  if (present(params, 'hostname')) {
    versionCheck(version, 'hostname', '1.9');
    c.hostname = String(params['hostname']);
  }
  const nets = Array.isArray(params['nets']) ? (params['nets'] as unknown[]) : [];
  let portPlan: PortPlan | null = null;
  if (nets.length) {
    if (ctx.projectId === null) throw noProjectForNetworks();
    portPlan = await planNets(nets, deps);
  }
  const hc = params['healthcheck'];
  if (hc !== null && typeof hc === 'object' && Object.keys(hc).length) {
    versionCheck(version, 'healthcheck', '1.22');
    const { cmd, ...rest } = hc as Record<string, unknown>;
    c.healthcheck = { ...rest, test: cmd === undefined ? '' : pyStr(cmd) } as Healthcheck;
  }
  let mountPlan: MountPlan = { mounts: [] };
  if (mounts.length) {
    versionCheck(version, 'mounts', '1.11');
    mountPlan = await planMounts(mounts, { ctx, findVolume: deps.findVolume });
  }
  c.cpu_policy = (present(params, 'cpu_policy') ? params['cpu_policy'] : 'shared') as CpuPolicy;
  if (present(params, 'privileged')) {
    versionCheck(version, 'privileged', '1.21');
    deps.authorize('container:create:privileged');
    c.privileged = strictBool(params['privileged'], 'privileged');
  }
  const driver = params['image_driver'];
  c.image_driver = driver === undefined || driver === null || driver === 'None' || driver === '' ? (deps.imageDrivers?.default ?? DEFAULT_IMAGE_DRIVER) : String(driver);
  if (deps.imageDrivers && !deps.imageDrivers.enabled.includes(c.image_driver)) {
    throw new InvalidValue('Invalid input for image_driver, it should be within the image drivers list');
  }
  if (params['image_pull_policy']) {
    deps.authorize('container:create:image_pull_policy');
    c.image_pull_policy = String(params['image_pull_policy']);
  }

  c.project_id = ctx.projectId;
  c.user_id = ctx.userId;
  c.name = typeof params['name'] === 'string' && params['name'] ? params['name'] : generateContainerName();
  c.image = String(params['image']);
  // A null cpu/memory is taken as "not given" (Zun would store the text "None").
  c.memory = present(params, 'memory') ? pyStr(params['memory']) : DEFAULT_MEMORY;
  c.cpu = present(params, 'cpu') ? toNumber(params['cpu']) : DEFAULT_CPU;
  if (present(params, 'disk')) c.disk = toNumber(params['disk']);
  const rp = params['restart_policy'];
  if (rp !== null && typeof rp === 'object' && Object.keys(rp).length) c.restart_policy = normaliseRestartPolicy(rp as Record<string, unknown>);
  if (present(params, 'exposed_ports')) {
    versionCheck(version, 'exposed_ports', '1.24');
    c.exposed_ports = buildExposedPorts(params['exposed_ports'] as Record<string, unknown>) as NewContainer['exposed_ports'];
  }
  if (params['registry']) {
    versionCheck(version, 'registry', '1.31');
    c.registry_id = (await deps.findRegistry(String(params['registry']))).id;
  }
  const requestedHost = params['host'] ? String(params['host']) : null;
  if (requestedHost) {
    deps.authorize('container:create:requested_destination');
    if (!(await deps.computeNodeExists(requestedHost))) throw new RequestedHostNotFound(requestedHost);
  }

  if (present(params, 'entrypoint')) c.entrypoint = argv(params['entrypoint']);
  if (present(params, 'workdir')) c.workdir = String(params['workdir']);
  const labels = stringMap(params['labels']);
  if (labels) c.labels = labels;
  const env = stringMap(params['environment']);
  if (env) c.environment = env;
  if (present(params, 'auto_heal')) c.auto_heal = strictBool(params['auto_heal'], 'auto_heal');

  // Last, once every check passed: the default network is made (once per project) only for a create that can go on.
  if (portPlan === null) portPlan = ctx.projectId === null ? { ports: [] } : await planNets([], deps);

  const az = params['availability_zone'];
  return {
    container: c,
    build: {
      run,
      hints: stringMap(params['hints']) ?? {},
      availability_zone: typeof az === 'string' ? az : null,
      requested_host: requestedHost,
    },
    quotaDeltas,
    mounts: mountPlan,
    ports: portPlan,
  };
}
