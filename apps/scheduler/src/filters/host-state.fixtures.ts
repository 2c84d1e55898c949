// Builders for unit tests of the filters and the scheduler (not used at run time).
import { defaultConf, type SchedulerConf, type ZunConf } from '@zun-ts/config';
import { type ComputeNode, type ZunService } from '@zun-ts/objects';
import { type HostState, type ScheduleRequest } from '../host-state';

export function fakeService(patch: Partial<ZunService> = {}): ZunService {
  return {
    id: 1,
    host: 'node-1',
    binary: 'zun-compute',
    topic: 'compute.node-1',
    disabled: false,
    disabled_reason: null,
    forced_down: false,
    report_count: 3,
    last_seen_up: new Date(),
    availability_zone: null,
    created_at: new Date(Date.now() - 3_600_000),
    updated_at: null,
    ...patch,
  };
}

export function fakeNode(patch: Partial<ComputeNode> = {}): ComputeNode {
  return {
    id: 1,
    uuid: '4c3f7c1e-0000-4000-8000-000000000001',
    hostname: 'node-1',
    mem_total: 4096,
    mem_free: 3000,
    mem_available: 3500,
    mem_used: 1024,
    total_containers: 2,
    running_containers: 2,
    paused_containers: 0,
    stopped_containers: 0,
    cpus: 4,
    cpu_used: 1,
    disk_total: 100,
    disk_used: 20,
    disk_quota_supported: true,
    enable_cpu_pinning: false,
    architecture: 'x86_64',
    os_type: 'linux',
    os: 'Debian',
    kernel_version: '6.1.0',
    labels: {},
    runtimes: ['runc'],
    numa_topology: null,
    created_at: new Date(),
    updated_at: null,
    ...patch,
  };
}

export function fakeHost(patch: Partial<HostState> = {}): HostState {
  const hostname = patch.hostname ?? 'node-1';
  const base: HostState = {
    hostname,
    uuid: `uuid-${hostname}`,
    mem_total: 4096,
    mem_used: 1024,
    free_mem: 3072,
    cpus: 4,
    cpu_used: 1,
    disk_total: 100,
    disk_used: 20,
    disk_quota_supported: true,
    total_containers: 2,
    labels: {},
    runtimes: ['runc'],
    availability_zone: 'nova',
    enable_cpu_pinning: false,
    service: fakeService({ host: hostname }),
  };
  const host = { ...base, ...patch };
  return { ...host, free_mem: patch.free_mem ?? host.mem_total - host.mem_used };
}

export function fakeRequest(patch: Partial<ScheduleRequest> = {}): ScheduleRequest {
  return {
    cpu: null,
    memory: null,
    disk: null,
    runtime: null,
    hints: {},
    availability_zone: null,
    requested_host: null,
    cpu_policy: null,
    ignore_hosts: [],
    ...patch,
  };
}

/** The default configuration with `[scheduler]` options replaced. */
export function fakeConf(scheduler: Partial<SchedulerConf> = {}, serviceDownTime = 180): ZunConf {
  return defaultConf({ DEFAULT: { service_down_time: serviceDownTime }, scheduler });
}
