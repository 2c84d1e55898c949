import { randomInt } from 'node:crypto';
import { BadRequest } from '@zun-ts/common';
import { compileValidator } from '../../http/json-schema.validator';
import { capsuleCreateBody, capsuleTemplate } from './capsule-template.schema';

/** 400 "Invalid capsule template: <reason>." (Zun's InvalidCapsuleTemplate). */
export class InvalidCapsuleTemplate extends BadRequest {
  static of(reason: string): InvalidCapsuleTemplate {
    return new InvalidCapsuleTemplate(`Invalid capsule template: ${reason}.`);
  }
}

/** 400 "Failed parse string to json: <reason>." (Zun's FailedParseStringToJson). */
export class FailedParseStringToJson extends BadRequest {}

/** Zun's restart policy names of the template, as Docker names them. */
const RESTART_POLICIES = { Always: 'always', OnFailure: 'on-failure', Never: 'no' } as const;
type TemplateRestartPolicy = keyof typeof RESTART_POLICIES;

/** A container's restart policy as the container record stores it. */
export interface CapsuleRestartPolicy {
  Name: 'always' | 'on-failure' | 'no';
  MaximumRetryCount: string;
}

/** One container of the capsule (an init container or a regular one), in container-record terms. */
export interface CapsuleMemberPlan {
  init: boolean;
  /** `capsule-<capsule name or uuid>-<greek letter>-<n>`, unique in the capsule. */
  name: string;
  image: string;
  /** `command` then `args` (or `args` alone); null: the image's own. */
  command: string[] | null;
  environment: Record<string, string>;
  workdir: string | null;
  interactive: boolean;
  tty: boolean;
  cpu: number | null;
  /** MiB as a string, as containers store it. */
  memory: string | null;
  /** `"<port>/<tcp|udp>": {}`. */
  exposed_ports: Record<string, Record<string, never>>;
  /** Null when the caller may not choose one (the policy drops it, as Zun does). */
  image_pull_policy: string | null;
  restart_policy: CapsuleRestartPolicy;
  mounts: { volume: string; mount_path: string; read_only: boolean }[];
}

/** A volume of the template: made with `size` GiB, or an existing one by `volume_id` (never removed with the capsule). */
export interface CapsuleVolumePlan {
  name: string;
  size: number | null;
  volume_id: string | null;
  auto_remove: boolean;
}

/** What `POST /v1/capsules` makes of a template. */
export interface CapsulePlan {
  name: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  restart_policy: CapsuleRestartPolicy;
  availability_zone: string | null;
  /** Sum of the containers' requests, at least the largest init container's (0 when none asks). */
  cpu: number;
  /** MiB, likewise. */
  memory: number;
  /** Init containers first, in template order, then the containers. */
  members: CapsuleMemberPlan[];
  volumes: CapsuleVolumePlan[];
}

const GREEK = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi',
  'omicron', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega'] as const;

type Json = Record<string, unknown>;

/** The create-body validator (`POST /v1/capsules`). */
export const validateBody = compileValidator(capsuleCreateBody, 'body');
const validateTemplate = compileValidator({ type: 'object', properties: { template: capsuleTemplate } }, 'body');

/** Options of {@link planCapsule}. */
export interface PlanOptions {
  /** The capsule's uuid (names members of a capsule without a name). */
  uuid: string;
  /** Whether the caller may set `imagePullPolicy` (policy `container:create:image_pull_policy`). */
  mayChoosePullPolicy: boolean;
  /** Random member names; tests pass a fixed one. */
  pickName?: (taken: ReadonlySet<string>) => string;
}

function randomMemberName(taken: ReadonlySet<string>): string {
  for (;;) {
    const name = `${GREEK[randomInt(GREEK.length)]}-${randomInt(1, 25)}`;
    if (!taken.has(name)) return name;
  }
}

function asJson(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asJson(value))) out[k] = String(v);
  return out;
}

/** The template object of a create body: validated (schema, then Zun's own checks), a JSON string parsed first. */
export function readTemplate(body: Readonly<Record<string, unknown>>): Json {
  validateBody(body);
  let tpl = body['template'];
  if (typeof tpl === 'string') {
    try {
      tpl = JSON.parse(tpl) as unknown;
    } catch (e) {
      throw new FailedParseStringToJson(`Failed parse string to json: ${(e as Error).message}.`);
    }
    validateTemplate({ template: tpl });
  }
  const t = asJson(tpl);
  if (t['kind'] !== 'capsule' && t['kind'] !== 'Capsule') throw InvalidCapsuleTemplate.of('kind fields need to be set as capsule or Capsule');
  if (t['spec'] === undefined || t['spec'] === null) throw InvalidCapsuleTemplate.of('No Spec found');
  if (!Array.isArray(asJson(t['spec'])['containers'])) throw InvalidCapsuleTemplate.of('No valid containers field');
  return t;
}

function numberOrNull(v: unknown): number | null {
  if (v === undefined || v === null || v === '') return null;
  return Number(v);
}

/**
 * Turns a template (see {@link readTemplate}) into the capsule's plan with Zun's rules: restart policy mapping, cpu
 * and memory sums, member names, `args` after `command`, ports as exposed ports, init containers restarted on
 * failure (10 times) under an `Always` capsule. Checks Zun leaves to the host are made here: at least one container,
 * unique template names, volume mounts naming declared volumes, a volume with exactly one of size and volumeID.
 */
export function planCapsule(t: Json, opts: PlanOptions): CapsulePlan {
  const spec = asJson(t['spec']);
  const meta = asJson(t['metadata']);
  const containers = (spec['containers'] as unknown[]).map(asJson);
  const inits = (Array.isArray(spec['initContainers']) ? (spec['initContainers'] as unknown[]) : []).map(asJson);
  if (containers.length === 0) throw InvalidCapsuleTemplate.of('Capsule need to have one container at least');

  const volumes = planVolumes(spec['volumes']);
  const declared = new Set(volumes.map((v) => v.name));
  const templateNames = new Set<string>();
  for (const c of [...inits, ...containers]) {
    const n = c['name'];
    if (typeof n !== 'string') continue;
    if (templateNames.has(n)) throw InvalidCapsuleTemplate.of(`Container name ${n} is used more than once`);
    templateNames.add(n);
  }

  const policyName = (spec['restartPolicy'] ?? t['restartPolicy'] ?? 'Always') as TemplateRestartPolicy;
  const restart: CapsuleRestartPolicy = { Name: RESTART_POLICIES[policyName], MaximumRetryCount: '0' };
  const initRestart: CapsuleRestartPolicy = restart.Name === 'always' ? { Name: 'on-failure', MaximumRetryCount: '10' } : restart;

  const capsuleName = typeof meta['name'] === 'string' ? meta['name'] : null;
  const prefix = `capsule-${capsuleName ?? opts.uuid}-`;
  const pick = opts.pickName ?? randomMemberName;
  const taken = new Set<string>();
  const member = (c: Json, init: boolean): CapsuleMemberPlan => {
    const suffix = pick(taken);
    taken.add(suffix);
    const requests = asJson(asJson(c['resources'])['requests']);
    const cmd = Array.isArray(c['command']) ? (c['command'] as unknown[]).map(String) : [];
    const args = Array.isArray(c['args']) ? (c['args'] as unknown[]).map(String) : [];
    const exposed: Record<string, Record<string, never>> = {};
    for (const p of Array.isArray(c['ports']) ? (c['ports'] as unknown[]).map(asJson) : []) {
      exposed[`${Number(p['containerPort'])}/${String(p['protocol'] ?? 'tcp').toLowerCase()}`] = {};
    }
    const mounts = (Array.isArray(c['volumeMounts']) ? (c['volumeMounts'] as unknown[]).map(asJson) : []).map((m) => {
      const volume = String(m['name']);
      if (!declared.has(volume)) throw InvalidCapsuleTemplate.of(`Volume ${volume} is mounted but not defined in spec.volumes`);
      return { volume, mount_path: String(m['mountPath']), read_only: m['readOnly'] === true || m['readOnly'] === 'true' || m['readOnly'] === 'True' };
    });
    const memory = numberOrNull(requests['memory']);
    const pull = c['imagePullPolicy'];
    return {
      init,
      name: prefix + suffix,
      image: String(c['image']),
      command: cmd.length + args.length ? [...cmd, ...args] : null,
      environment: stringMap(c['env']),
      workdir: typeof c['workDir'] === 'string' ? c['workDir'] : null,
      interactive: c['stdin'] === true || c['stdin'] === 'true' || c['stdin'] === 'True',
      tty: c['tty'] === true || c['tty'] === 'true' || c['tty'] === 'True',
      cpu: numberOrNull(requests['cpu']),
      memory: memory === null ? null : String(memory),
      exposed_ports: exposed,
      image_pull_policy: typeof pull === 'string' && opts.mayChoosePullPolicy ? pull.toLowerCase() : null,
      restart_policy: init ? initRestart : restart,
      mounts,
    };
  };
  const members = [...inits.map((c) => member(c, true)), ...containers.map((c) => member(c, false))];

  let cpu = 0;
  let memory = 0;
  for (const m of members.filter((x) => !x.init)) {
    cpu += m.cpu ?? 0;
    memory += Number(m.memory ?? 0);
  }
  for (const m of members.filter((x) => x.init)) {
    cpu = Math.max(cpu, m.cpu ?? 0);
    memory = Math.max(memory, Number(m.memory ?? 0));
  }
  return {
    name: capsuleName,
    labels: stringMap(meta['labels']),
    annotations: stringMap(meta['annotations']),
    restart_policy: restart,
    availability_zone: typeof t['availabilityZone'] === 'string' ? t['availabilityZone'] : null,
    cpu: Math.round(cpu * 1000) / 1000,
    memory,
    members,
    volumes,
  };
}

function planVolumes(raw: unknown): CapsuleVolumePlan[] {
  const out: CapsuleVolumePlan[] = [];
  for (const v of Array.isArray(raw) ? (raw as unknown[]).map(asJson) : []) {
    const name = String(v['name']);
    if (out.some((o) => o.name === name)) throw InvalidCapsuleTemplate.of(`Volume name ${name} is used more than once`);
    const cinder = asJson(v['cinder']);
    const id = typeof cinder['volumeID'] === 'string' ? cinder['volumeID'] : null;
    const size = typeof cinder['size'] === 'number' ? cinder['size'] : null;
    if (id === null && size === null) throw InvalidCapsuleTemplate.of('Volume size is needed');
    if (id !== null && size !== null) throw InvalidCapsuleTemplate.of('Volume size and uuid could not be set at the same time');
    const auto = cinder['autoRemove'];
    // A volume the capsule made goes with it unless the template says otherwise; one it only names never does.
    out.push({ name, size, volume_id: id, auto_remove: id === null && auto !== false && auto !== 'false' && auto !== 'False' });
  }
  return out;
}
