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
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const WITH_VALUE: Record<string, 'inventory' | 'configDir' | 'passwords' | 'limit' | 'root'> = {
  '-i': 'inventory',
  '--inventory': 'inventory',
  '--configdir': 'configDir',
  '--passwords': 'passwords',
  '-l': 'limit',
  '--limit': 'limit',
  '--root': 'root',
};

export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { verb: undefined, help: false, inventory: undefined, configDir: '/etc/kolla', passwords: undefined, limit: [], root: undefined };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    if (name === '-h' || name === '--help') {
      opts.help = true;
      continue;
    }
    const key = WITH_VALUE[name];
    if (key) {
      const value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      if (key === 'limit') opts.limit.push(...value.split(/[,:]/).filter(Boolean));
      else opts[key] = value;
      continue;
    }
    if (raw.startsWith('-')) throw new UsageError(`unknown option ${raw}`);
    if (opts.verb !== undefined) throw new UsageError(`one verb at a time (got "${opts.verb}" and "${raw}")`);
    opts.verb = raw;
  }
  return opts;
}
