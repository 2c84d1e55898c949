// The service catalogue: what runs where, as data shaped like Kolla-Ansible's
// `zun_services` (container_name, group, enabled, image, volumes, dimensions,
// healthcheck, privileged), so an Ansible wrapper could use it unchanged.
// Strings may hold `{{ name }}` placeholders, filled per host by expand().

export interface Healthcheck {
  interval: string;
  retries: string;
  start_period: string;
  timeout: string;
  test: string[];
}

/** One file rendered into /etc/kolla/<service>/ and copied into the container by config.json. */
export interface ServiceConfigFile {
  /** Name in /etc/kolla/<service>/. */
  name: string;
  /** Where kolla_set_configs puts it in the container. */
  dest: string;
  owner: string;
  perm: string;
  optional?: boolean;
  /**
   * Operator's INI files merged over the generated file, in this order, relative
   * to node_custom_config (missing ones are skipped). Placeholders: service, inventory_hostname.
   */
  overrides?: string[];
  /** A file under node_custom_config copied as it is (nothing generated), e.g. the policy file. */
  custom?: string;
}

export interface ServiceSpec {
  container_name: string;
  /** Inventory group whose hosts run the service. */
  group: string;
  /** globals.yml flag that turns the service on. */
  enabled: 'enable_zun' | 'enable_mariadb' | 'enable_redis' | 'enable_keystone' | 'enable_haproxy';
  /** Image name without registry, namespace or tag. */
  image: string;
  volumes: string[];
  dimensions: { ulimits?: Record<string, { soft: number; hard: number }> };
  healthcheck: Healthcheck;
  privileged: boolean;
  /** Capabilities added to the container's bounding set (the image grants them to the few tools that need them). */
  cap_add: string[];
  environment: Record<string, string>;
  /** TCP ports the service listens on with host networking (prechecks: they must be free). */
  ports: string[];
  /** config.json of the container. */
  command: string;
  config_files: ServiceConfigFile[];
  permissions: { path: string; owner: string; perm?: string; recurse?: boolean }[];
}

/** A container that runs once to completion (schema migrations) before the services start. */
export interface OneShotSpec {
  container_name: string;
  /** Runs on the first host of this group, with the image, volumes and config of `service`. */
  group: string;
  service: string;
  environment: Record<string, string>;
}

const DIMENSIONS = { ulimits: { nofile: { soft: 1048576, hard: 1048576 } } };

// Kolla's globals default_container_healthcheck_* (30 s, 30 s, 3, 5 s) set the timing.
function healthcheck(test: string): Healthcheck {
  return {
    interval: '{{ default_container_healthcheck_interval }}',
    retries: '{{ default_container_healthcheck_retries }}',
    start_period: '{{ default_container_healthcheck_start_period }}',
    timeout: '{{ default_container_healthcheck_timeout }}',
    test: ['CMD-SHELL', test],
  };
}

function commonVolumes(service: string): string[] {
  return [`{{ node_config_directory }}/${service}/:/var/lib/kolla/config_files/:ro`, '/etc/localtime:/etc/localtime:ro', 'kolla_logs:/var/log/kolla/'];
}

function zunService(svc: 'api' | 'conductor' | 'scheduler' | 'compute' | 'wsproxy', test: string, ports: string[], extraVolumes: string[] = [], capAdd: string[] = []): ServiceSpec {
  return {
    container_name: `zun_${svc}`,
    group: `zun-${svc}`,
    enabled: 'enable_zun',
    image: `zun-${svc}`,
    volumes: [...commonVolumes(`zun-${svc}`), ...extraVolumes],
    dimensions: DIMENSIONS,
    healthcheck: healthcheck(test),
    privileged: false,
    cap_add: capAdd,
    environment: { KOLLA_CONFIG_STRATEGY: '{{ kolla_config_strategy }}' },
    ports,
    // the zun-<svc>.js name lets `pgrep -f zun-<svc>` (the health checks) find the process
    command: `node /opt/zun-ts/bin/zun-${svc}.js --config-file /etc/zun/zun.conf`,
    config_files: [
      {
        name: 'zun.conf',
        dest: '/etc/zun/zun.conf',
        owner: 'zun',
        perm: '0600',
        overrides: ['global.conf', 'zun.conf', 'zun/{{ service }}.conf', 'zun/{{ inventory_hostname }}/zun.conf'],
      },
      { name: 'policy.yaml', dest: '/etc/zun/policy.yaml', owner: 'zun', perm: '0600', optional: true, custom: 'zun/policy.yaml' },
    ],
    permissions: [{ path: '/var/log/kolla/zun', owner: 'zun:kolla', recurse: true }],
  };
}

/**
 * Every service, in start order: the infrastructure, then Zun's services with
 * compute last (the order of a Nova-style rolling upgrade).
 */
export const SERVICES: Record<string, ServiceSpec> = {
  // first: with enable_haproxy every backend is reached through the VIP. Its start hook puts the VIP on the first
  // loadbalancer host's interface (NET_ADMIN, as root, before it drops to the haproxy user).
  haproxy: {
    container_name: 'haproxy',
    group: 'loadbalancer',
    enabled: 'enable_haproxy',
    image: 'haproxy',
    volumes: commonVolumes('haproxy'),
    dimensions: DIMENSIONS,
    healthcheck: healthcheck('healthcheck_listen haproxy {{ zun_api_port }}'),
    privileged: false,
    cap_add: ['NET_ADMIN'],
    environment: { KOLLA_CONFIG_STRATEGY: '{{ kolla_config_strategy }}', HAPROXY_VIP_ADDRESS: '{{ haproxy_vip_address }}', HAPROXY_VIP_INTERFACE: '{{ api_interface }}' },
    ports: ['{{ zun_api_port }}', '{{ zun_wsproxy_port }}'],
    command: '/usr/sbin/haproxy -W -db -f /etc/haproxy/haproxy.cfg',
    config_files: [{ name: 'haproxy.cfg', dest: '/etc/haproxy/haproxy.cfg', owner: 'haproxy', perm: '0600' }],
    permissions: [{ path: '/var/log/kolla/haproxy', owner: 'haproxy:kolla', recurse: true }],
  },
  mariadb: {
    container_name: 'mariadb',
    group: 'mariadb',
    enabled: 'enable_mariadb',
    image: 'mariadb',
    volumes: [...commonVolumes('mariadb'), 'mariadb:/var/lib/mysql'],
    dimensions: DIMENSIONS,
    healthcheck: healthcheck('healthcheck_listen mariadbd {{ database_port }}'),
    privileged: false,
    cap_add: [],
    environment: { KOLLA_CONFIG_STRATEGY: '{{ kolla_config_strategy }}' },
    ports: ['{{ database_port }}'],
    // the init file sets root's password (from passwords.yml) on every start
    command: '/usr/sbin/mariadbd --defaults-file=/etc/mysql/my.cnf --init-file=/etc/mysql/init.sql',
    config_files: [
      { name: 'my.cnf', dest: '/etc/mysql/my.cnf', owner: 'mysql', perm: '0600', overrides: ['my.cnf', 'mariadb/{{ inventory_hostname }}/my.cnf'] },
      { name: 'init.sql', dest: '/etc/mysql/init.sql', owner: 'mysql', perm: '0600' },
    ],
    permissions: [
      { path: '/var/log/kolla/mariadb', owner: 'mysql:kolla', recurse: true },
      { path: '/var/lib/mysql', owner: 'mysql:mysql', recurse: true },
    ],
  },
  redis: {
    container_name: 'redis',
    group: 'redis',
    enabled: 'enable_redis',
    image: 'redis',
    volumes: [...commonVolumes('redis'), 'redis:/var/lib/redis/'],
    dimensions: DIMENSIONS,
    healthcheck: healthcheck('healthcheck_listen redis-server {{ redis_port }}'),
    privileged: false,
    cap_add: [],
    environment: { KOLLA_CONFIG_STRATEGY: '{{ kolla_config_strategy }}' },
    ports: ['{{ redis_port }}'],
    command: '/usr/bin/redis-server /etc/redis/redis.conf',
    config_files: [{ name: 'redis.conf', dest: '/etc/redis/redis.conf', owner: 'redis', perm: '0600' }],
    permissions: [
      { path: '/var/log/kolla/redis', owner: 'redis:kolla', recurse: true },
      { path: '/var/lib/redis', owner: 'redis:redis', recurse: true },
    ],
  },
  keystone: {
    container_name: 'keystone',
    group: 'keystone',
    enabled: 'enable_keystone',
    image: 'keystone',
    volumes: [...commonVolumes('keystone'), 'keystone_fernet_tokens:/etc/keystone/fernet-keys'],
    dimensions: DIMENSIONS,
    healthcheck: healthcheck('healthcheck_curl http://{{ api_interface_address }}:{{ keystone_public_port }}/v3'),
    privileged: false,
    cap_add: [],
    environment: { KOLLA_CONFIG_STRATEGY: '{{ kolla_config_strategy }}' },
    ports: ['{{ keystone_public_port }}'],
    command: 'uwsgi --ini /etc/keystone/keystone-uwsgi.ini',
    config_files: [
      {
        name: 'keystone.conf',
        dest: '/etc/keystone/keystone.conf',
        owner: 'keystone',
        perm: '0600',
        overrides: ['global.conf', 'keystone.conf', 'keystone/{{ inventory_hostname }}/keystone.conf'],
      },
      { name: 'keystone-uwsgi.ini', dest: '/etc/keystone/keystone-uwsgi.ini', owner: 'keystone', perm: '0600' },
    ],
    permissions: [
      { path: '/var/log/kolla/keystone', owner: 'keystone:kolla', recurse: true },
      { path: '/etc/keystone/fernet-keys', owner: 'keystone:keystone', perm: '0700', recurse: true },
    ],
  },
  'zun-conductor': zunService('conductor', 'healthcheck_port zun-conductor {{ redis_port }}', []),
  'zun-scheduler': zunService('scheduler', 'healthcheck_port zun-scheduler {{ redis_port }}', []),
  'zun-api': zunService('api', 'healthcheck_curl http://{{ api_interface_address }}:{{ zun_api_port }}/healthcheck', ['{{ zun_api_port }}']),
  'zun-wsproxy': zunService('wsproxy', 'healthcheck_listen zun-wsproxy {{ zun_wsproxy_port }}', ['{{ zun_wsproxy_port }}']),
  // Docker through the mounted socket only, unprivileged: the start hook joins the socket's group. The project
  // networks' devices and filters need NET_ADMIN, which the image grants to ip, bridge and the nft tools only.
  'zun-compute': zunService('compute', 'healthcheck_port zun-compute {{ redis_port }}', [], ['{{ docker_socket }}:/var/run/docker.sock'], ['NET_ADMIN']),
};

/** The one-shot containers, in the order they run. */
export const ONE_SHOTS: Record<string, OneShotSpec> = {
  // keystone-manage db_sync, fernet keys and the admin user (KOLLA_BOOTSTRAP in the keystone hook)
  bootstrap_keystone: {
    container_name: 'bootstrap_keystone',
    group: 'keystone',
    service: 'keystone',
    environment: {
      KOLLA_BOOTSTRAP: '',
      KEYSTONE_ADMIN_PASSWORD: '{{ keystone_admin_password }}',
      KEYSTONE_URL: 'http://{{ kolla_internal_fqdn }}:{{ keystone_public_port }}',
      KEYSTONE_REGION: '{{ openstack_region_name }}',
    },
  },
  // zun-manage db sync with the zun-api image, before any Zun service (re)starts
  bootstrap_zun: { container_name: 'bootstrap_zun', group: 'zun-api', service: 'zun-api', environment: { KOLLA_BOOTSTRAP: '' } },
};

/** Fills `{{ name }}` placeholders; a name without a value is an error (a catalogue bug, or a missing host address). */
export function expand(template: string, vars: Record<string, string | number | boolean>): string {
  return template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`no value for {{ ${name} }} in "${template}"`);
    return String(v);
  });
}

/** The full image reference: [registry/]namespace/name:tag. */
export function imageRef(spec: { image: string }, g: { docker_registry: string; docker_namespace: string; zun_tag: string; openstack_tag: string }): string {
  const tag = spec.image.startsWith('zun-') ? g.zun_tag : g.openstack_tag;
  return `${g.docker_registry ? `${g.docker_registry}/` : ''}${g.docker_namespace}/${spec.image}:${tag}`;
}
