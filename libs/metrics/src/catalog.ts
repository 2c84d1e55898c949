import { type Counter, type Gauge, type Histogram } from 'prom-client';
import { counter, gauge, histogram } from './registry';

/**
 * The metrics of zun-ts, one function per family; each is made on first use, so a service's endpoint only
 * shows the families its code touches. Label values are bounded (see labels.ts): never a uuid or a host name.
 */

export function httpMetrics(): { requests: Counter<'route' | 'method' | 'status'>; duration: Histogram<'route' | 'method' | 'status'> } {
  return {
    requests: counter('zun_http_requests_total', 'HTTP requests answered by zun-api, by route template, method and status.', ['route', 'method', 'status']),
    duration: histogram('zun_http_request_duration_seconds', 'Time from a request arriving to its answer being sent.', ['route', 'method', 'status']),
  };
}

type RpcLabels = 'topic' | 'method' | 'kind' | 'outcome';
export function rpcClientMetrics(): { sent: Counter<RpcLabels>; duration: Histogram<RpcLabels> } {
  return {
    sent: counter('zun_rpc_client_requests_total', 'RPC calls and casts sent, by topic (without host), method, kind (call, cast) and outcome (ok, error, timeout, unavailable).', ['topic', 'method', 'kind', 'outcome']),
    duration: histogram('zun_rpc_client_duration_seconds', 'Time a call waited for its reply, or a cast for Redis to store it.', ['topic', 'method', 'kind', 'outcome']),
  };
}

export function rpcServerMetrics(): { handled: Counter<RpcLabels>; duration: Histogram<RpcLabels> } {
  return {
    handled: counter('zun_rpc_server_requests_total', 'RPC messages handled, by topic (without host), method, kind and outcome (ok, error).', ['topic', 'method', 'kind', 'outcome']),
    duration: histogram('zun_rpc_server_duration_seconds', 'Time a handler ran.', ['topic', 'method', 'kind', 'outcome']),
  };
}

export function rpcQueueGauges(collect: { depth: (g: Gauge<'topic'>) => Promise<void>; age: (g: Gauge<'topic'>) => Promise<void> }): void {
  gauge('zun_rpc_queue_depth', 'Messages waiting in the queues this process serves, by topic (without host).', ['topic'], { aggregation: 'max', collect: collect.depth });
  gauge('zun_rpc_queue_oldest_age_seconds', 'Age of the oldest waiting message of the queues this process serves (0 when empty).', ['topic'], { aggregation: 'max', collect: collect.age });
}

export function buildMetrics(): { builds: Counter<'outcome'>; toRunning: Histogram } {
  return {
    builds: counter('zun_conductor_builds_total', 'Container builds finished by the conductor, by outcome (running, created, error, rescheduled, deleted).', ['outcome']),
    toRunning: histogram('zun_conductor_build_to_running_seconds', 'Time from the API accepting a container to the conductor recording it Running.'),
  };
}

export function schedulerMetrics(): { decisions: Counter<'outcome'>; rejections: Counter<'filter'>; duration: Histogram } {
  return {
    decisions: counter('zun_scheduler_decisions_total', 'Host selections, by outcome (selected, no_valid_host).', ['outcome']),
    rejections: counter('zun_scheduler_filter_rejections_total', 'Scheduling decisions in which a filter rejected at least one host, by filter name.', ['filter']),
    duration: histogram('zun_scheduler_decision_duration_seconds', 'Time to choose a host.'),
  };
}

export function dockerMetrics(): { duration: Histogram<'operation' | 'outcome'>; eventLag: Histogram<'type'> } {
  return {
    duration: histogram('zun_compute_docker_operation_duration_seconds', 'Container driver (Docker) operations on this host, by operation and outcome (ok, error).', ['operation', 'outcome']),
    eventLag: histogram('zun_compute_event_lag_seconds', 'Time from the engine emitting a container event to zun-compute receiving it, by event type.', ['type']),
  };
}

export function computeContainersGauge(collect: (g: Gauge<'status'>) => Promise<void> | void): Gauge<'status'> {
  return gauge('zun_compute_containers', 'Containers on this host, by status.', ['status'], { collect });
}

export function consoleMetrics(): { open: Gauge; opened: Counter; bytes: Counter<'direction'> } {
  return {
    open: gauge('zun_wsproxy_console_sessions', 'Console sessions open now.'),
    opened: counter('zun_wsproxy_console_sessions_total', 'Console sessions opened.'),
    bytes: counter('zun_wsproxy_console_bytes_total', 'Console bytes relayed, by direction (to_container, to_client).', ['direction']),
  };
}

/** `zun_build_info{version}` = 1: which release a process runs (one value across workers). */
export function buildInfo(version: string): void {
  gauge('zun_build_info', 'Always 1; the version label is the release this service runs.', ['version'], { aggregation: 'max' }).set({ version }, 1);
}
