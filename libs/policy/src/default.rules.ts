/** A rule with its default check string, as Zun registers it. */
export interface RuleDefault {
  readonly name: string;
  readonly check: string;
  readonly description?: string;
}

const ADMIN_OR_OWNER = 'rule:admin_or_owner';
const ADMIN_API = 'rule:admin_api';
const DENY_EVERYBODY = 'rule:deny_everybody';

const rule = (name: string, check: string, description?: string): RuleDefault => (description ? { name, check, description } : { name, check });
const many = (prefix: string, names: readonly string[], check: string): RuleDefault[] => names.map((n) => rule(`${prefix}${n}`, check));

/** The base rules every other default refers to. */
export const BASE_RULES: readonly RuleDefault[] = [
  rule('context_is_admin', 'role:admin', 'Decides whether a request context is an administrator.'),
  rule('admin_or_owner', 'is_admin:True or project_id:%(project_id)s', 'An administrator, or a member of the owning project.'),
  rule('admin_api', 'rule:context_is_admin', 'Administrators only.'),
  rule('deny_everybody', '!', 'Nobody, not even administrators.'),
];

/** Zun's default policy: every rule the API enforces, with its default. */
export const DEFAULT_RULES: readonly RuleDefault[] = [
  ...BASE_RULES,
  rule('container:create', ADMIN_OR_OWNER),
  rule('container:create:runtime', ADMIN_API, 'Choose the container runtime on create.'),
  rule('container:create:privileged', DENY_EVERYBODY, 'Create privileged containers.'),
  rule('container:create:requested_destination', ADMIN_API, 'Choose the host on create.'),
  rule('container:create:image_pull_policy', ADMIN_API),
  rule('container:delete', ADMIN_OR_OWNER),
  rule('container:delete_all_projects', ADMIN_API),
  rule('container:delete_force', ADMIN_API),
  rule('container:get_one', ADMIN_OR_OWNER),
  ...many('container:get_one:', ['host', 'image_pull_policy', 'privileged', 'runtime'], ADMIN_API),
  rule('container:get_one_all_projects', ADMIN_API),
  rule('container:get_all', ADMIN_OR_OWNER),
  rule('container:get_all_all_projects', ADMIN_API),
  ...many(
    'container:',
    ['update', 'start', 'stop', 'reboot', 'pause', 'unpause', 'logs', 'execute', 'execute_resize', 'kill', 'rename', 'attach', 'resize',
      'top', 'get_archive', 'put_archive', 'stats', 'commit', 'add_security_group', 'remove_security_group', 'network_attach',
      'network_detach', 'rebuild', 'resize_container', 'actions'],
    ADMIN_OR_OWNER,
  ),
  rule('container:action:events', ADMIN_API, 'See action events (they may hold tracebacks).'),
  ...many('capsule:', ['create', 'delete', 'get', 'get_all'], ADMIN_OR_OWNER),
  ...many('capsule:', ['delete_all_projects', 'get:host', 'get_one_all_projects', 'get_all_all_projects'], ADMIN_API),
  ...many('image:', ['pull', 'get_all', 'get_one', 'delete'], ADMIN_API),
  rule('image:search', ADMIN_OR_OWNER),
  ...many('host:', ['get_all', 'get'], ADMIN_API),
  ...many('zun-service:', ['get_all', 'delete', 'enable', 'disable', 'force_down'], ADMIN_API),
  rule('availability_zones:get_all', ADMIN_OR_OWNER),
  ...many('quota:', ['get', 'get_default'], ADMIN_OR_OWNER),
  ...many('quota:', ['update', 'delete'], ADMIN_API),
  ...many('quota_class:', ['get', 'update'], ADMIN_API),
  ...many('registry:', ['create', 'delete', 'get_one', 'get_all', 'update'], ADMIN_OR_OWNER),
  rule('registry:get_all_all_projects', ADMIN_API),
  rule('network:attach_external_network', 'role:admin'),
  // zun-ts's project networks (`/v1/networks`, ADR 0007): Zun's network:create/delete wrap Neutron networks and
  // are admin-only; here project members make and delete their own.
  rule('network:create', ADMIN_OR_OWNER),
  rule('network:create:shared', ADMIN_API, 'Create a network every project may attach containers to.'),
  ...many('network:', ['get', 'get_all', 'delete'], ADMIN_OR_OWNER),
  rule('network:get_all_all_projects', ADMIN_API, 'List the networks of every project.'),
  rule('network:get_one:segmentation_id', ADMIN_API, "See a network's segmentation id (VXLAN VNI)."),
  // zun-ts's own volumes (`/v1/volumes`; Zun leaves volumes to Cinder).
  ...many('volume:', ['create', 'get', 'get_all', 'delete'], ADMIN_OR_OWNER),
  rule('volume:get_all_all_projects', ADMIN_API, 'List the volumes of every project.'),
  rule('volume:get_one:host', ADMIN_API, "See a volume's compute host."),
];

/**
 * A policy.yaml listing every rule with its default, commented out (what
 * oslopolicy-sample-generator writes): uncomment a line to override that rule.
 */
export function samplePolicyYaml(rules: readonly RuleDefault[] = DEFAULT_RULES): string {
  const out = ['# Zun API policy. Every rule is shown with its default; uncomment a line to change it.', ''];
  for (const r of rules) {
    if (r.description) out.push(`# ${r.description}`);
    out.push(`#${JSON.stringify(r.name)}: ${JSON.stringify(r.check)}`, '');
  }
  return out.join('\n');
}
