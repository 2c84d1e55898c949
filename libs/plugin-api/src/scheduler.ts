import { type CpuPolicy, type ZunService } from '@zun-ts/objects';

/**
 * One compute host as filters and weighers see it: a snapshot of its compute node record joined with its
 * `zun-compute` service record. Memory in MiB, disk in GiB, cpu in cores.
 */
export interface HostState {
  readonly hostname: string;
  readonly uuid: string;
  readonly mem_total: number;
  /** MiB claimed by the containers on the host. */
  readonly mem_used: number;
  /** MiB not claimed yet (mem_total − mem_used), without overcommit; what RamWeigher ranks by. */
  readonly free_mem: number;
  readonly cpus: number;
  readonly cpu_used: number;
  readonly disk_total: number;
  readonly disk_used: number;
  /** Whether docker's storage driver can cap a container's disk; a disk request needs it. */
  readonly disk_quota_supported: boolean;
  /** Containers the host reports (any state). */
  readonly total_containers: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly runtimes: readonly string[];
  /** The service's zone, or `[DEFAULT] default_availability_zone` when it has none. */
  readonly availability_zone: string;
  readonly enable_cpu_pinning: boolean;
  /** The host's `zun-compute` service record (disabled, forced_down and heartbeats decide ComputeFilter). */
  readonly service: Readonly<ZunService>;
}

/** What filters check a host against: one container's needs and where it may go. */
export interface ScheduleRequest {
  /** Cores (fractional); null or 0: no cpu request. */
  cpu: number | null;
  /** MiB; null or 0: no memory request. */
  memory: number | null;
  /** GiB; null or 0: no disk request. */
  disk: number | null;
  /** Container runtime asked for (admin only); null: the host's default. */
  runtime: string | null;
  /** Free-form scheduler hints; only `label:<key>` keys are read (LabelFilter wants host label key = value). */
  hints: Record<string, string>;
  availability_zone: string | null;
  /** Host asked for by an admin (API 1.39 `host`); null: any host. */
  requested_host: string | null;
  /** null means `shared`. */
  cpu_policy: CpuPolicy | null;
  /** Hosts already tried for this container (rescheduling after a failed claim or create). */
  ignore_hosts: string[];
  /**
   * Hosts holding the backing stores of the container's volumes (VolumeHostFilter): empty, no constraint; one
   * host (however often listed), only that host; different hosts, none.
   */
  volume_hosts: string[];
}

/** One pass/fail rule of the filter scheduler, chosen by name in `[scheduler] enabled_filters`. */
export interface HostFilter {
  /** As written in `[scheduler] enabled_filters`, e.g. `RamFilter`. */
  readonly name: string;
  /**
   * The answer cannot change between the containers of one request (zone, service state, labels), so a
   * request placing several containers may run it once; a single-container request runs every filter.
   */
  readonly runOncePerRequest: boolean;
  hostPasses(host: HostState, req: ScheduleRequest): boolean;
  /** Why `host` fails `req`, for the scheduler's log; only filters with more than one way to fail need it. */
  rejectReason?(host: HostState, req: ScheduleRequest): string;
}

/**
 * Ranks hosts, chosen by name in `[scheduler] enabled_weighers`. `weigh` returns a raw number (higher: tried
 * first); the scheduler scales each weigher's numbers to 0…1 over the candidate hosts, multiplies them by the
 * weigher's multiplier (`[scheduler] weight_multipliers`, 1.0 by default; negative turns it round) and adds
 * them up.
 */
export interface HostWeigher {
  /** As written in `[scheduler] enabled_weighers`, e.g. `RamWeigher`. */
  readonly name: string;
  weigh(host: HostState, req: ScheduleRequest): number;
}
