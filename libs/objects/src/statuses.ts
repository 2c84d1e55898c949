/** Container statuses, exact case as the API shows them. */
export const CONTAINER_STATUSES = [
  'Creating',
  'Created',
  'Running',
  'Stopped',
  'Paused',
  'Restarting',
  'Rebuilding',
  'Deleting',
  'Deleted',
  'Error',
  'Dead',
  'Unknown',
] as const;
/** One of {@link CONTAINER_STATUSES}. */
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number];

/** The operation a compute host has in flight on a container; null when idle. */
export const TASK_STATES = [
  'image_pulling',
  'container_creating',
  'container_starting',
  'container_deleting',
  'container_stopping',
  'container_rebooting',
  'container_pausing',
  'container_unpausing',
  'container_killing',
  'sg_adding',
  'sg_removing',
  'network_attaching',
  'network_detaching',
  'container_rebuilding',
] as const;
/** One of {@link TASK_STATES}. */
export type TaskState = (typeof TASK_STATES)[number];

/** Rows of the container table: plain containers, capsules, and the containers inside a capsule. */
export const CONTAINER_TYPES = { container: 0, capsule: 1, capsuleContainer: 2, capsuleInitContainer: 3 } as const;
/** One of the values of {@link CONTAINER_TYPES}. */
export type ContainerType = (typeof CONTAINER_TYPES)[keyof typeof CONTAINER_TYPES];

/** Action names the API records for a container. */
export const CONTAINER_ACTION_NAMES = [
  'create',
  'delete',
  'start',
  'stop',
  'reboot',
  'rebuild',
  'pause',
  'unpause',
  'kill',
  'commit',
  'network_attach',
  'network_detach',
  'add_security_group',
  'remove_security_group',
] as const;
/** One of {@link CONTAINER_ACTION_NAMES}. */
export type ContainerActionName = (typeof CONTAINER_ACTION_NAMES)[number];

/** Outcome of a finished action event. */
export const ACTION_EVENT_RESULTS = ['Success', 'Error'] as const;
/** One of {@link ACTION_EVENT_RESULTS}. */
export type ActionEventResult = (typeof ACTION_EVENT_RESULTS)[number];

/** Resources a quota limits: count of containers, memory in MiB, cpu, disk in GiB. */
export const QUOTA_RESOURCES = ['containers', 'memory', 'cpu', 'disk'] as const;
/** One of {@link QUOTA_RESOURCES}. */
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];

/** Restart policy names docker accepts. */
export const RESTART_POLICY_NAMES = ['no', 'always', 'on-failure', 'unless-stopped'] as const;
/** One of {@link RESTART_POLICY_NAMES}. */
export type RestartPolicyName = (typeof RESTART_POLICY_NAMES)[number];

/** CPU policies: shared (the default) or dedicated (pinned cores). */
export const CPU_POLICIES = ['shared', 'dedicated'] as const;
/** One of {@link CPU_POLICIES}. */
export type CpuPolicy = (typeof CPU_POLICIES)[number];
