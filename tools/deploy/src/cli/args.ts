// Command-line options, Kolla-Ansible's where it has them:
//   zun-kolla [-i INVENTORY] [--configdir DIR] [--passwords FILE] [--limit HOSTS] VERB [verb options]
// Options may come before or after the verb.

export interface CliOptions {
  verb: string | undefined;
  help: boolean;
  /** -i / --inventory; default <configdir>/inventory. */
  inventory: string | undefined;
  /** --configdir: globals.yml, passwords.yml and config/ (the overrides); default /etc/kolla. */
  configDir: string;
  /** --passwords; default <configdir>/passwords.yml. */
  passwords: string | undefined;
  /** --limit: comma-separated hosts or groups. */
  limit: string[];
  /** genconfig --root: render into DIR/<host>/ instead of each host's node_config_directory. */
  root: string | undefined;
  /** build --tag: tags besides the version (default: latest). */
  tags: string[];
  /** build --version: the release the images carry (ZUN_VERSION) and are tagged with; default package.json's. */
  version: string | undefined;
  /** build --images: only these images (and their parents). */
  images: string[];
  /** build --cache-dir: the debootstrap root file system and staged contexts (default /var/cache/zun-kolla). */
  cacheDir: string | undefined;
  /** build --mirror: the Debian mirror for debootstrap (default: apt's first source). */
  mirror: string | undefined;
  /** build --docker-host: the engine to build on (default: DOCKER_HOST, else the local socket). */
  dockerHost: string | undefined;
  /** build --refresh-rootfs: run debootstrap again even when the cache has a root file system. */
  refreshRootfs: boolean;
  /** destroy's confirmation, --yes-i-really-really-mean-it as in Kolla-Ansible. */
  yesReally: boolean;
  /** upgrade --serial N|N%: hosts restarted at a time per service (default: all of them). */
  serial: string | undefined;
  /** deploy/reconfigure --timeout: seconds to wait for each container to be healthy (default 300). */
  timeout: number | undefined;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const WITH_VALUE: Record<string, 'inventory' | 'configDir' | 'passwords' | 'limit' | 'root' | 'tags' | 'version' | 'images' | 'cacheDir' | 'mirror' | 'dockerHost' | 'timeout' | 'serial'> = {
  '--serial': 'serial',
  '--tag': 'tags',
  '--version': 'version',
  '--images': 'images',
  '--cache-dir': 'cacheDir',
  '--mirror': 'mirror',
  '--docker-host': 'dockerHost',
  '--timeout': 'timeout',
  '-i': 'inventory',
  '--inventory': 'inventory',
  '--configdir': 'configDir',
  '--passwords': 'passwords',
  '-l': 'limit',
  '--limit': 'limit',
  '--root': 'root',
};

/** A release string: what a Docker tag allows, and `+` (written `_` in the tag). */
const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

/** The Docker tag of a release: a tag takes no `+`, so 1.2.0+b is tagged 1.2.0_b. */
export function versionTag(version: string): string {
  return version.replace(/\+/g, '_');
}

export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = {
    verb: undefined,
    help: false,
    inventory: undefined,
    configDir: '/etc/kolla',
    passwords: undefined,
    limit: [],
    root: undefined,
    tags: [],
    version: undefined,
    images: [],
    cacheDir: undefined,
    mirror: undefined,
    dockerHost: undefined,
    refreshRootfs: false,
    yesReally: false,
    timeout: undefined,
    serial: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    if (name === '-h' || name === '--help') {
      opts.help = true;
      continue;
    }
    if (name === '--yes-i-really-really-mean-it' || name === '--refresh-rootfs') {
      if (name === '--refresh-rootfs') opts.refreshRootfs = true;
      else opts.yesReally = true;
      continue;
    }
    const key = WITH_VALUE[name];
    if (key) {
      const value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      if (key === 'limit') opts.limit.push(...value.split(/[,:]/).filter(Boolean));
      else if (key === 'tags' || key === 'images') opts[key].push(...value.split(',').filter(Boolean));
      else if (key === 'timeout') {
        if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--timeout needs a number of seconds, got ${JSON.stringify(value)}`);
        opts.timeout = Number(value);
      } else if (key === 'serial') {
        if (!/^[1-9]\d*%?$/.test(value) || (value.endsWith('%') && Number(value.slice(0, -1)) > 100)) throw new UsageError(`--serial needs N or N% (1-100), got ${JSON.stringify(value)}`);
        opts.serial = value;
      } else if (key === 'version') {
        if (!VERSION_RE.test(value)) throw new UsageError(`--version needs letters, digits and . _ + - (at most 128), got ${JSON.stringify(value)}`);
        opts.version = value;
      } else opts[key] = value;
      continue;
    }
    if (raw.startsWith('-')) throw new UsageError(`unknown option ${raw}`);
    if (opts.verb !== undefined) throw new UsageError(`one verb at a time (got "${opts.verb}" and "${raw}")`);
    opts.verb = raw;
  }
  return opts;
}
