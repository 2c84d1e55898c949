// The generated configuration files, before the operator's overrides: zun.conf
// per Zun service (each gets only the sections it reads, so a compute host
// holds no database password), and the infrastructure's files.
import { type Deployment, endpoints, hostAddress } from '../inventory/deployment';
import { haproxyConfig } from './haproxy';
import { type IniData, iniFrom } from './ini-merge';

export interface HostContext {
  dep: Deployment;
  host: string;
  /** Catalogue name of the service, e.g. zun-api. */
  service: string;
  address: string;
}

export function hostContext(dep: Deployment, host: string, service: string): HostContext {
  return { dep, host, service, address: hostAddress(dep, host) };
}

const bracket = (addr: string): string => (addr.includes(':') ? `[${addr}]` : addr);

function databaseUrl(ctx: HostContext, user: string, password: string, name: string): string {
  const e = endpoints(ctx.dep);
  return `mysql+pymysql://${user}:${encodeURIComponent(password)}@${bracket(e.databaseHost)}:${e.databasePort}/${name}`;
}

function redisUrl(ctx: HostContext): string {
  const { globals: g, passwords: p } = ctx.dep;
  const e = endpoints(ctx.dep);
  const auth = g.redis_requirepass ? `:${encodeURIComponent(p.redis_master_password)}@` : '';
  return `redis://${auth}${bracket(e.redisHost)}:${e.redisPort}/0`;
}

/** zun.conf of one Zun service on one host. */
export function zunConf(ctx: HostContext): IniData {
  const { globals: g, passwords: p } = ctx.dep;
  const svc = ctx.service.replace(/^zun-/, '');
  const e = endpoints(ctx.dep);
  const sections: Record<string, Record<string, string | number | boolean | undefined>> = {
    DEFAULT: {
      host: ctx.host,
      debug: g.zun_debug,
      // logs go to standard output, where `docker logs` (and the tool's failure reports) find them
      state_path: '/var/lib/zun',
      // Registry passwords: sealed by zun-api, opened by zun-compute for a pull; the conductor only passes them on.
      ...(svc === 'api' || svc === 'compute' ? { auth_encryption_key: p.zun_auth_encryption_key } : {}),
    },
    redis: { url: redisUrl(ctx) },
  };
  if (svc === 'api' || svc === 'conductor' || svc === 'scheduler') {
    sections['database'] = { connection: databaseUrl(ctx, g.zun_database_user, p.zun_database_password, g.zun_database_name) };
  }
  if (svc === 'api') {
    sections['api'] = { host_ip: ctx.address, port: g.zun_api_port };
    sections['keystone_authtoken'] = {
      www_authenticate_uri: `${e.keystonePublic}/v3`,
      auth_url: `${e.keystoneInternal}/v3`,
      auth_type: 'password',
      username: g.zun_keystone_user,
      password: p.zun_keystone_password,
      project_name: 'service',
      user_domain_name: 'Default',
      project_domain_name: 'Default',
      region_name: g.openstack_region_name,
    };
  }
  if (svc === 'api' || svc === 'wsproxy') {
    sections['websocket_proxy'] = {
      wsproxy_host: ctx.address,
      wsproxy_port: g.zun_wsproxy_port,
      base_url: `ws://${bracket(g.kolla_external_fqdn)}:${g.zun_wsproxy_port}/`,
    };
  }
  if (svc === 'compute') {
    // the host's socket, mounted into the container (never TCP)
    sections['docker'] = { docker_remote_api_host: 'unix:///var/run/docker.sock' };
    // VXLAN between the compute hosts over their API interface (Kolla's tunnel_interface defaults to it too)
    sections['network'] = { underlay_ip: ctx.address };
  }
  return iniFrom(sections);
}

/** my.cnf of MariaDB (the root password is set by its bootstrap, not here). */
export function mariadbConf(ctx: HostContext): IniData {
  return iniFrom({
    mysqld: {
      'bind-address': ctx.address,
      port: ctx.dep.globals.database_port,
      datadir: '/var/lib/mysql',
      'log-error': '/var/log/kolla/mariadb/mariadb.log',
      'character-set-server': 'utf8mb4',
      'collation-server': 'utf8mb4_general_ci',
      'max_connections': 1000,
      'skip-name-resolve': 1,
    },
  });
}

const sqlString = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** init.sql of MariaDB: root's password from passwords.yml, applied on every start (root@'%' for the other hosts). */
export function mariadbInit(ctx: HostContext): string {
  const pw = sqlString(ctx.dep.passwords.database_password);
  return [
    `ALTER USER 'root'@'localhost' IDENTIFIED BY ${pw};`,
    `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY ${pw};`,
    `ALTER USER 'root'@'%' IDENTIFIED BY ${pw};`,
    "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;",
    '',
  ].join('\n');
}

/** redis.conf (Redis's own "option value" syntax, not INI). */
export function redisConf(ctx: HostContext): string {
  const { globals: g, passwords: p } = ctx.dep;
  return [
    `bind ${ctx.address}`,
    `port ${g.redis_port}`,
    'protected-mode yes',
    'daemonize no',
    'dir /var/lib/redis',
    'appendonly yes',
    'logfile /var/log/kolla/redis/redis.log',
    ...(g.redis_requirepass ? [`requirepass ${p.redis_master_password}`] : []),
    '',
  ].join('\n');
}

/** keystone.conf. */
export function keystoneConf(ctx: HostContext): IniData {
  const { passwords: p } = ctx.dep;
  return iniFrom({
    DEFAULT: { log_dir: '/var/log/kolla/keystone' },
    database: { connection: databaseUrl(ctx, 'keystone', p.keystone_database_password, 'keystone'), max_retries: -1 },
    token: { provider: 'fernet' },
    fernet_tokens: { key_repository: '/etc/keystone/fernet-keys', max_active_keys: 3 },
    fernet_receipts: { key_repository: '/etc/keystone/fernet-keys' },
    // an uncached token validation costs hundreds of queries; one process, so a memory cache is coherent
    cache: { enabled: true, backend: 'dogpile.cache.memory' },
  });
}

/** The uWSGI server of Keystone's public API. */
export function keystoneUwsgi(ctx: HostContext): IniData {
  return iniFrom({
    uwsgi: {
      'http-socket': `${bracket(ctx.address)}:${ctx.dep.globals.keystone_public_port}`,
      plugin: 'python3',
      'wsgi-file': '/usr/bin/keystone-wsgi-public',
      'procname-prefix': 'keystone-',
      master: true,
      processes: 1,
      threads: 4,
      'die-on-term': true,
      // the http-socket closes every connection: say so, or clients that reuse one get resets
      'add-header': 'Connection: close',
      logto: '/var/log/kolla/keystone/keystone-uwsgi.log',
    },
  });
}

/** The generator of each file name the catalogue lists (policy.yaml comes from the operator only). */
export const GENERATORS: Record<string, (ctx: HostContext) => IniData | string> = {
  'zun.conf': zunConf,
  'my.cnf': mariadbConf,
  'init.sql': mariadbInit,
  'redis.conf': redisConf,
  'keystone.conf': keystoneConf,
  'keystone-uwsgi.ini': keystoneUwsgi,
  'haproxy.cfg': (ctx) => haproxyConfig(ctx.dep),
};
