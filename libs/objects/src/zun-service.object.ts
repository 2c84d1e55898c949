import { field, type ObjectDef } from './fields';

/** A registered service process (`zun-compute`, `zun-conductor`, …) on one host. */
export interface ZunService {
  id: number;
  host: string;
  /** Program name, e.g. `zun-compute`; unique together with `host`. */
  binary: string;
  /** RPC topic the service listens on. */
  topic: string;
  disabled: boolean;
  disabled_reason: string | null;
  /** Set by an operator: the service counts as down whatever its heartbeats say. */
  forced_down: boolean;
  /** Number of heartbeats received. */
  report_count: number;
  last_seen_up: Date | null;
  availability_zone: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const ZunServiceObject: ObjectDef<ZunService, 'ZunService'> = {
  name: 'ZunService',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    host: field.string(),
    binary: field.string(),
    topic: field.string(),
    disabled: field.boolean({ default: false }),
    disabled_reason: field.string({ nullable: true }),
    forced_down: field.boolean({ default: false }),
    report_count: field.integer({ default: 0 }),
    last_seen_up: field.datetime({ nullable: true }),
    availability_zone: field.string({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};

/** What a service gives when it registers. */
/** Binary of the service whose row makes a host a compute host (schedulable, its builds watched). */
export const COMPUTE_BINARY = 'zun-compute';

export interface ServiceRegistration {
  host: string;
  binary: string;
  topic: string;
  availability_zone: string | null;
}

/** Where services register and heartbeat (DB directly, or via conductor RPC for compute hosts). */
export interface ServiceRegistry {
  /** Idempotent: creates the (host, binary) row or returns the existing one with topic and zone refreshed. */
  register(s: ServiceRegistration): Promise<ZunService>;
  /** report_count + 1 and last_seen_up = now, in one atomic UPDATE. */
  heartbeat(host: string, binary: string): Promise<void>;
}

/**
 * Zun's liveness rule: a forced-down service is down; otherwise it is up when its last sign of life
 * (`last_seen_up`, else `updated_at`, else `created_at`) lies within `serviceDownTimeSec` of `now`.
 */
export function isServiceUp(s: ZunService, serviceDownTimeSec: number, now: Date | number = Date.now()): boolean {
  if (s.forced_down) return false;
  const last = s.last_seen_up ?? s.updated_at ?? s.created_at;
  // A number (ms) by default: the scheduler asks this of every host for every request, a Date each was measurable.
  return Math.abs((typeof now === 'number' ? now : now.getTime()) - last.getTime()) <= serviceDownTimeSec * 1000;
}
