// The shapes of the v1 API as the client sees them on the wire (microversion 1.40; older microversions leave
// some fields out).

export interface Link {
  href: string;
  rel: string;
}

export type ContainerStatus = 'Creating' | 'Created' | 'Running' | 'Stopped' | 'Paused' | 'Restarting' | 'Deleting' | 'Deleted' | 'Error' | 'Unknown' | 'Rebuilding';

export interface ContainerAddress {
  addr: string;
  version: number;
  port?: string | null;
  subnet_id?: string | null;
  preserve_on_delete?: boolean;
}

export interface Container {
  uuid: string;
  links?: Link[];
  name: string | null;
  project_id?: string;
  user_id?: string;
  image: string;
  cpu: number | null;
  cpu_policy?: string;
  memory: string | null;
  command: string[] | string | null;
  status: ContainerStatus;
  status_reason: string | null;
  status_detail: string | null;
  task_state: string | null;
  environment: Record<string, string>;
  workdir: string | null;
  auto_remove: boolean;
  ports: number[] | null;
  hostname: string | null;
  labels: Record<string, string>;
  addresses: Record<string, ContainerAddress[]> | null;
  image_pull_policy: string | null;
  host?: string | null;
  restart_policy: { Name: string; MaximumRetryCount: string } | null;
  interactive: boolean;
  tty: boolean;
  image_driver: string | null;
  security_groups: string[] | null;
  runtime?: string | null;
  disk?: number | null;
  auto_heal?: boolean;
  privileged?: boolean;
  healthcheck?: Record<string, unknown> | null;
  registry_id?: string | null;
  entrypoint?: string[] | null;
  published_ports?: unknown;
  created_at?: string;
  updated_at?: string | null;
}

export interface Mount {
  source?: string;
  destination: string;
  size?: string;
  type?: 'volume' | 'bind';
}

export interface NetRequest {
  network?: string;
  port?: string;
  v4_fixed_ip?: string;
  v6_fixed_ip?: string;
}

/** The body of `POST /v1/containers` (1.20+: `command` and `entrypoint` as lists). */
export interface CreateContainer {
  image: string;
  name?: string;
  command?: string[];
  entrypoint?: string[];
  cpu?: number;
  cpu_policy?: 'shared' | 'dedicated';
  memory?: string;
  workdir?: string;
  auto_remove?: boolean;
  image_pull_policy?: 'always' | 'never' | 'ifnotpresent';
  labels?: Record<string, string>;
  environment?: Record<string, string>;
  restart_policy?: { Name: string; MaximumRetryCount?: string };
  interactive?: boolean;
  tty?: boolean;
  image_driver?: 'docker' | 'glance' | string;
  security_groups?: string[];
  hints?: Record<string, string>;
  mounts?: Mount[];
  nets?: NetRequest[];
  runtime?: string;
  hostname?: string;
  disk?: number;
  availability_zone?: string;
  auto_heal?: boolean;
  privileged?: boolean;
  healthcheck?: { cmd?: string; interval?: number; retries?: number; timeout?: number };
  exposed_ports?: Record<string, Record<string, never>>;
  registry?: string;
  host?: string;
}

/** A page of a list, and the URL of the next one (null on the last). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface ListOptions {
  limit?: number;
  marker?: string;
  sort_key?: string;
  sort_dir?: 'asc' | 'desc';
}

export interface ContainerListOptions extends ListOptions {
  all_projects?: boolean;
  /** Filters Zun accepts on the list, e.g. `name`, `status`, `host`. */
  [filter: string]: string | number | boolean | undefined;
}

export interface ExecResult {
  output: string;
  exit_code: number | null;
  exec_id: string | null;
  proxy_url: string | null;
}

export interface LogsOptions {
  stdout?: boolean;
  stderr?: boolean;
  timestamps?: boolean;
  tail?: number | 'all';
  since?: string;
}

export interface ContainerUpdate {
  name?: string;
  cpu?: number;
  memory?: string;
  auto_heal?: boolean;
}

export interface ContainerAction {
  action: string;
  container_uuid: string;
  request_id: string;
  user_id: string;
  project_id: string;
  start_time: string | null;
  finish_time: string | null;
  message: string | null;
  events?: { event: string; start_time: string | null; finish_time: string | null; result: string | null; traceback: string | null }[];
}

export interface ZunService {
  id: number;
  host: string;
  binary: string;
  state: 'up' | 'down';
  disabled: boolean;
  disabled_reason: string | null;
  forced_down?: boolean;
  report_count: number;
  availability_zone: string | null;
  created_at: string | null;
  updated_at: string | null;
  last_seen_up?: string | null;
}

/** Resources whose full shape the client does not pin down (hosts, images, registries, networks, volumes, capsules). */
export type ApiObject = Record<string, unknown> & { uuid?: string };
