// zun-kolla's command line: parse, dispatch to a verb, turn errors into one
// clear line and an exit code (1: the verb failed, 2: bad usage).
import Docker from 'dockerode';
import { dockerOptions } from '../docker/endpoint';
import { dockerEngines } from '../docker/engine';
import { VERBS } from '../verbs';
import { type Verb, type VerbContext } from '../verbs/verb';
import { UsageError, parseArgs } from './args';
import { type Output, processOutput } from './report';

export function usage(verbs: readonly Verb[] = VERBS): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [
    'usage: zun-kolla [-i INVENTORY] [--configdir DIR] [--passwords FILE] [--limit HOST|GROUP,...] VERB [--root DIR]',
    '',
    'Deploys zun-ts the Kolla way: one container per service, configuration in /etc/kolla/<service>/.',
    '',
    'verbs:',
    ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    'options:',
    '  -i, --inventory FILE   Ansible INI inventory (default: <configdir>/inventory)',
    '  --configdir DIR        globals.yml, passwords.yml and config/ overrides (default: /etc/kolla)',
    '  --passwords FILE       default: <configdir>/passwords.yml',
    '  -l, --limit LIST       only these hosts or groups (comma-separated)',
    '  --root DIR             genconfig: write DIR/<host>/<node_config_directory>/ instead',
    '',
  ].join('\n');
}

/** Runs zun-kolla; resolves to the exit code. */
export async function runCli(argv: string[], io: Output = processOutput, engines = dockerEngines()): Promise<number> {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    io.err(`zun-kolla: ${(e as Error).message}\n${usage()}`);
    return 2;
  }
  if (opts.help || opts.verb === undefined) {
    (opts.help ? io.out : io.err)(usage());
    return opts.help ? 0 : 2;
  }
  const verb = VERBS.find((v) => v.name === opts.verb);
  if (!verb) {
    io.err(`zun-kolla: there is no verb "${opts.verb}" (verbs: ${VERBS.map((v) => v.name).join(', ')})\n`);
    return 2;
  }
  const ctx: VerbContext = { opts, io, engines, connect: (e) => new Docker(dockerOptions(e)) };
  try {
    return await verb.run(ctx);
  } catch (e) {
    const err = e as Error;
    // our own errors carry a complete message (file:line, host, key); anything else is a bug: show the stack
    const known = ['UsageError', 'InventoryError', 'YamlFileError', 'DeploymentError', 'IniMergeError', 'ConfigJsonError', 'DeployStepError'].includes(err.name);
    io.err(`zun-kolla ${verb.name}: error: ${known ? err.message : (err.stack ?? String(err))}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
