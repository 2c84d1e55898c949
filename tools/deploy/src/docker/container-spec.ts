// What deploy hands to Docker for a resolved catalogue service, and how it
// decides what to do with the container already there. Pure: no engine here.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { type ResolvedService } from '../catalogue/resolve';

/** Labels zun-kolla puts on its containers. */
export const LABELS = {
  service: 'org.zun-ts.kolla.service',
  /** Hash of the create options (image, binds, env, healthcheck …) without the labels. */
  spec: 'org.zun-ts.kolla.spec-hash',
} as const;

const SECOND_NS = 1_000_000_000;

/** `src:dst[:opts]` volumes as Docker binds; a source without `/` is a named volume. Empty entries are dropped. */
export function binds(volumes: string[]): string[] {
  return volumes.filter((v) => v.trim() !== '');
}

/** The named volumes among the binds (destroy removes them). */
export function namedVolumes(volumes: string[]): string[] {
  return binds(volumes)
    .map((v) => v.split(':')[0] as string)
    .filter((src) => !src.includes('/'));
}

function healthcheck(r: ResolvedService): Docker.HealthConfig {
  if (!r.healthcheck) return { Test: ['NONE'] };
  const s = (v: string): number => Number(v) * SECOND_NS;
  return {
    Test: r.healthcheck.test,
    Interval: s(r.healthcheck.interval),
    Timeout: s(r.healthcheck.timeout),
    Retries: Number(r.healthcheck.retries),
    StartPeriod: s(r.healthcheck.start_period),
  };
}

/** A stable hash of a JSON value (object keys sorted). */
export function stableHash(value: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canon(value))).digest('hex').slice(0, 16);
}

/**
 * The create options of a service container: host networking, the config dir
 * read-only, `unless-stopped` (a one-shot: no restart), the healthcheck and
 * ulimits, and labels naming the service and the hash of all the rest.
 */
export function createOptions(r: ResolvedService, opts: { oneShot?: boolean } = {}): Docker.ContainerCreateOptions {
  const ulimits = Object.entries(r.dimensions.ulimits ?? {}).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard }));
  const spec: Docker.ContainerCreateOptions = {
    name: r.container_name,
    Image: r.image,
    Env: Object.entries(r.environment).map(([k, v]) => `${k}=${v}`),
    Healthcheck: healthcheck(r),
    HostConfig: {
      NetworkMode: 'host',
      Binds: binds(r.volumes),
      Privileged: r.privileged,
      ...(r.cap_add.length ? { CapAdd: [...r.cap_add] } : {}),
      RestartPolicy: opts.oneShot ? { Name: 'no' } : { Name: 'unless-stopped' },
      Ulimits: ulimits,
    },
  };
  return { ...spec, Labels: { [LABELS.service]: r.name, [LABELS.spec]: stableHash(spec) } };
}

/** What deploy finds of a container on the host. */
export interface ExistingContainer {
  labels: Record<string, string>;
  running: boolean;
  /** The id of the image the container runs, and the id the wanted tag points at now. */
  imageId: string;
  wantedImageId: string;
}

export type Action = 'create' | 'recreate' | 'restart' | 'start' | 'none';

/**
 * Kolla's compare_container, reduced to what we label: a missing container is
 * created; a different spec or image means recreate; a config change (found by
 * `kolla_set_configs --check` in the container) means restart under COPY_ALWAYS
 * and recreate under COPY_ONCE; a stopped container is started.
 */
export function planAction(existing: ExistingContainer | null, wanted: Docker.ContainerCreateOptions, configChanged: boolean, strategy: 'COPY_ALWAYS' | 'COPY_ONCE'): Action {
  if (!existing) return 'create';
  if (existing.labels[LABELS.spec] !== wanted.Labels?.[LABELS.spec] || existing.imageId !== existing.wantedImageId) return 'recreate';
  if (configChanged) return strategy === 'COPY_ONCE' ? 'recreate' : 'restart';
  return existing.running ? 'none' : 'start';
}
