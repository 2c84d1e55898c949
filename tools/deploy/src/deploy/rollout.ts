// The container half of deploy and reconfigure, Kolla's compare_container and
// recreate_or_restart_container: per service, compare what runs with what is
// wanted (a hash of the create options, the image id, and
// `kolla_set_configs --check` run inside the container), act on the
// difference, and wait until Docker reports the container healthy.
import { type ResolvedService, resolveOneShot, resolveService } from '../catalogue/resolve';
import type Docker from 'dockerode';
import { type Action, createOptions, planAction } from '../docker/container-spec';
import { type Deployment } from '../inventory/deployment';
import { type HostEngine } from './host';

/** A failed step, naming host, service and step, with the container's last log lines. */
export class DeployStepError extends Error {
  override name = 'DeployStepError';
  constructor(
    readonly host: string,
    readonly service: string,
    readonly step: string,
    detail: string,
    logTail = '',
  ) {
    super(`host ${host}, ${service}, ${step}: ${detail}${logTail ? `\n--- last lines of its log ---\n${logTail}` : ''}`);
  }
}

/**
 * Whether the files in the container differ from its config dir: exec
 * `kolla_set_configs --check` (0 unchanged, 1 changed; a container that died
 * meanwhile, 137, counts as changed, as in Kolla-Ansible).
 */
export async function configChanged(engine: HostEngine, r: ResolvedService): Promise<boolean> {
  const { code, output } = await engine.exec(r.container_name, ['kolla_set_configs', '--check']);
  if (code === 0) return false;
  if (code === 1 || code === 137) return true;
  throw new DeployStepError(engine.host, r.name, 'kolla_set_configs --check', `exit ${code}: ${output.trim()}`);
}

export interface Plan {
  r: ResolvedService;
  action: Action;
  wanted: Docker.ContainerCreateOptions;
}

/** What a service's container needs (Kolla's compare_container), without acting. */
export async function planContainer(dep: Deployment, engine: HostEngine, r: ResolvedService): Promise<Plan> {
  const wanted = createOptions(r);
  const wantedImageId = await engine.imageId(r.image);
  if (!wantedImageId) throw new DeployStepError(engine.host, r.name, 'image', `${r.image} is not in the engine (zun-kolla build, or set docker_registry)`);
  const existing = await engine.state(r.container_name);
  const changed = existing?.running ? await configChanged(engine, r) : false;
  const action = planAction(existing && { labels: existing.labels, running: existing.running, imageId: existing.imageId, wantedImageId }, wanted, changed, dep.globals.kolla_config_strategy);
  return { r, action, wanted };
}

/** Carries out a plan (Kolla's recreate_or_restart_container). */
export async function applyPlan(engine: HostEngine, plan: Plan): Promise<void> {
  const name = plan.r.container_name;
  switch (plan.action) {
    case 'recreate':
      await engine.remove(name);
      await engine.create(plan.wanted);
      await engine.start(name);
      break;
    case 'create':
      await engine.create(plan.wanted);
      await engine.start(name);
      break;
    case 'restart':
      await engine.restart(name);
      break;
    case 'start':
      await engine.start(name);
      break;
    case 'none':
      break;
  }
}

/** Whether a plan puts a new container (new image or new options) in place: the cue for a bootstrap. */
export const replaces = (p: Plan): boolean => p.action === 'create' || p.action === 'recreate';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the container runs and (with a health check) Docker calls it
 * healthy. "unhealthy" is not final while the container still runs (a slow
 * start on a loaded host recovers): the deadline decides, and the error then
 * carries the last health check output and log lines.
 */
export async function waitHealthy(engine: HostEngine, service: string, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not found';
  while (Date.now() < deadline) {
    const s = await engine.state(name);
    if (s) {
      if (s.running && (s.health === null || s.health === 'healthy')) return;
      last = s.running ? `health: ${s.health ?? 'none'}${s.lastHealthOutput ? ` (${s.lastHealthOutput.trim()})` : ''}` : s.status;
    }
    await sleep(500);
  }
  throw new DeployStepError(engine.host, service, 'wait for healthy', `${name} not healthy after ${Math.round(timeoutMs / 1000)} s; ${last}`, await engine.logTail(name));
}

/**
 * Runs a one-shot container (bootstrap_*) to completion: removed before and,
 * on success, after; kept for inspection when it fails.
 */
export async function runOneShot(dep: Deployment, engine: HostEngine, name: string, timeoutMs: number): Promise<void> {
  const r = resolveOneShot(dep, name);
  if (!r) return;
  if (!(await engine.imageId(r.image))) throw new DeployStepError(engine.host, name, 'image', `${r.image} is not in the engine`);
  await engine.remove(r.container_name);
  await engine.create(createOptions(r, { oneShot: true }));
  await engine.start(r.container_name);
  const code = await engine.wait(r.container_name, timeoutMs);
  if (code !== 0) {
    const tail = await engine.logTail(r.container_name, 30);
    throw new DeployStepError(engine.host, name, 'run', code === null ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : `exited with ${code}`, tail);
  }
  await engine.remove(r.container_name);
}

export { resolveService };
