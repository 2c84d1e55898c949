// zun-manage: operator commands against the service database.
//
//   zun-manage [--config-file F ...] [--config-dir D] [--section.option=value ...] db sync
//   zun-manage [--config-file F ...] db version
//   zun-manage [--config-file F ...] registry reseal
//
// Exit status 0 on success, 1 on any error (the message goes to stderr).
import { secretBoxFromOptions } from '@zun-ts/common';
import { loadConfig, type ZunConf } from '@zun-ts/config';
import { Database } from '@zun-ts/db';
import { resealRegistries } from './registry-reseal';

const USAGE = `usage: zun-manage [--config-file FILE ...] [--config-dir DIR] [--<section>.<option>=VALUE ...] <group> <command>

commands:
  db sync            apply pending schema migrations
  db version         print the newest applied migration ("none" for an empty database)
  registry reseal    seal every registry password again with [DEFAULT] auth_encryption_key (the old key
                     must be listed in auth_encryption_previous_keys); see docs/images.md
`;

const COMMANDS: Record<string, readonly string[]> = { db: ['sync', 'version'], registry: ['reseal'] };

/** Words that start a command, so that `--debug db sync` does not read "db" as the value of --debug. */
const COMMAND_GROUPS = new Set(['db', 'registry', 'help']);

/** Splits the command line into config options (handed to loadConfig) and command words. */
export function splitArgs(argv: string[]): { configArgs: string[]; words: string[] } {
  const configArgs: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      words.push(arg);
      continue;
    }
    configArgs.push(arg);
    const next = argv[i + 1];
    if (!arg.includes('=') && next !== undefined && !next.startsWith('--') && !COMMAND_GROUPS.has(next)) {
      configArgs.push(next);
      i++;
    }
  }
  return { configArgs, words };
}

type Out = (line: string) => void;

async function dbCommand(command: string, connection: string, opts: { poolSize: number; debug: boolean }, out: Out): Promise<void> {
  const db = await Database.open(connection, { poolSize: opts.poolSize, debug: opts.debug });
  try {
    if (command === 'sync') {
      const applied = await db.migrate();
      if (applied.length === 0) out('database is up to date');
      for (const name of applied) out(`applied ${name}`);
    } else {
      out((await db.version()) ?? 'none');
    }
  } finally {
    await db.close();
  }
}

/** `registry reseal`; false when some password opened with no configured key (they are named, never shown). */
async function registryReseal(conf: ZunConf, out: Out, err: Out): Promise<boolean> {
  const box = secretBoxFromOptions(conf.DEFAULT);
  const db = await Database.openAtHead(conf.database.connection, { poolSize: 1, debug: false });
  try {
    const r = await resealRegistries(db.registries, box);
    out(`registry passwords: ${r.resealed} sealed again with key ${box.keyId}, ${r.current} already current, ${r.raced} changed meanwhile`);
    for (const uuid of r.unreadable) err(`zun-manage: registry ${uuid}: its password opens with no configured key; left as it is`);
    return r.unreadable.length === 0;
  } finally {
    await db.close();
  }
}

/** Runs the command line; returns the exit status. */
export async function main(argv: string[], out: Out = (l) => process.stdout.write(`${l}\n`), err: Out = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(USAGE);
    return 0;
  }
  const { configArgs, words } = splitArgs(argv);
  const [group, command, ...extra] = words;
  if (group === 'help') {
    out(USAGE);
    return 0;
  }
  if (group === undefined || command === undefined || !COMMANDS[group]?.includes(command) || extra.length > 0) {
    err(words.length ? `zun-manage: unknown command '${words.join(' ')}'` : 'zun-manage: no command given');
    err(USAGE);
    return 1;
  }
  try {
    const conf = loadConfig(configArgs, { warn: (msg) => err(`zun-manage: warning: ${msg}`) });
    if (group === 'registry') return (await registryReseal(conf, out, err)) ? 0 : 1;
    await dbCommand(command, conf.database.connection, { poolSize: conf.database.max_pool_size, debug: conf.database.connection_debug }, out);
    return 0;
  } catch (e) {
    err(`zun-manage: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`zun-manage: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
