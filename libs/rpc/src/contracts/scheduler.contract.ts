// Scheduler RPC (topic `scheduler`), version history:
//   1.0  ping
//   1.1  selectDestinations
//   1.2  one descriptor (SCHEDULER) declares both methods as calls and validates their args at the server's edge;
//        messages carry their sender
//   1.3  selectDestinations takes volume_hosts: the hosts holding volumes the container mounts (VolumeHostFilter)
//   1.4  selectDestinationsMany: several requests decided in order on one read of the hosts, each answered on its
//        own (its hosts, or its error); a decision returns at most `[scheduler] hosts_per_decision` hosts
import { type RequestContext, type SerializedError } from '@zun-ts/common';
import { call, defineTopic, type RpcCaller } from '../contract.types';
import { SCHEDULER_TOPIC } from '../queue.naming';
import { s } from '../wire-schema';

/** What the scheduler needs to know about the container being placed. */
export interface SelectDestinationsRequest {
  container_uuid: string;
  /** Requested cpu (float), memory (MiB) and disk (GiB); 0/null means none requested. */
  cpu: number | null;
  memory: number | null;
  disk: number | null;
  runtime: string | null;
  cpu_policy: string | null;
  /** Scheduler hints as given at create (`label:<k>` keys select hosts by label). */
  hints: Record<string, string>;
  availability_zone: string | null;
  /** 1.39 `host` (admin): only this host. */
  requested_host: string | null;
  /** Hosts already tried for this build (rescheduling). */
  ignore_hosts: string[];
  /**
   * The hosts holding the backing stores of volumes the container mounts (volumes not made yet are not listed).
   * Non-empty: only that host fits; two different hosts: none does.
   */
  volume_hosts: string[];
}

/**
 * One request's answer in a {@link SchedulerRpcApi.selectDestinationsMany} batch: its hosts, best first, or the error
 * a `selectDestinations` of it alone would have thrown (NoValidHost, RequestedHostNotFound…), serialized as an RPC
 * reply carries errors (`deserializeError` rebuilds it). Exactly one of the two is set.
 */
export interface SelectDestinationsResult {
  hosts: string[] | null;
  error: SerializedError | null;
}

/**
 * What the scheduler answers over RPC.
 *
 * Delivery is at-least-once: a message may be handled twice, so every handler must be idempotent.
 */
export interface SchedulerRpcApi {
  /** Call. Liveness check; answers with the scheduler's host. */
  ping(ctx: RequestContext, args: Record<string, never>, caller: RpcCaller): Promise<{ host: string }>;
  /**
   * Call. Runs the enabled filters and returns the best hosts that fit (at most `[scheduler] hosts_per_decision`),
   * best first. The caller claims them in order and moves on when a claim loses a race; when all of them are full by
   * then it asks again with them in `ignore_hosts`. Throws NoValidHost ("There are not enough hosts available.") or
   * RequestedHostNotFound. Read-only: safe to repeat.
   */
  selectDestinations(ctx: RequestContext, args: SelectDestinationsRequest, caller: RpcCaller): Promise<{ hosts: string[] }>;
  /**
   * Call (1.4). `selectDestinations` for several containers in one message: decided in order on one read of the
   * hosts, each decision taking its container's resources from its first host before the next one is made (as
   * sequential requests would see them), so a batch spreads. `results[i]` answers `requests[i]`; a request that
   * fits nowhere is answered with its error, the others are not affected. Read-only: safe to repeat. A scheduler
   * older than 1.4 answers NoSuchMethod.
   */
  selectDestinationsMany(
    ctx: RequestContext,
    args: { requests: SelectDestinationsRequest[] },
    caller: RpcCaller,
  ): Promise<{ results: SelectDestinationsResult[] }>;
}

const nullableNumber = s.nullable(s.number());
const nullableString = s.nullable(s.string());

const selectDestinationsRequest = s.object({
  container_uuid: s.string(),
  cpu: nullableNumber,
  memory: nullableNumber,
  disk: nullableNumber,
  runtime: nullableString,
  cpu_policy: nullableString,
  hints: s.record(s.string()),
  availability_zone: nullableString,
  requested_host: nullableString,
  ignore_hosts: s.array(s.string()),
  volume_hosts: s.array(s.string()),
});
const hostList = s.array(s.string());
/** An error as RPC replies carry it (`SerializedError`). */
const serializedError = s.object({ name: s.string(), message: s.string(), code: s.integer(), retryable: s.optional(s.boolean()) });

/** The scheduler topic. */
export const SCHEDULER = defineTopic<SchedulerRpcApi>()({
  name: 'scheduler',
  topic: SCHEDULER_TOPIC,
  version: '1.4',
  methods: {
    ping: call(s.empty(), s.object({ host: s.string() })),
    selectDestinations: call(selectDestinationsRequest, s.object({ hosts: hostList })),
    selectDestinationsMany: call(
      s.object({ requests: s.array(selectDestinationsRequest) }),
      s.object({ results: s.array(s.object({ hosts: s.nullable(hostList), error: s.nullable(serializedError) })) }),
    ),
  },
});
