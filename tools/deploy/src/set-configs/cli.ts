// Command line of kolla_set_configs (the in-image tool; kolla_start runs it as root).
//   kolla_set_configs            apply config.json with KOLLA_CONFIG_STRATEGY
//   kolla_set_configs --check    exit 0 when what is in place matches, 1 when a source changed
// Any error (bad config.json, missing source, unknown owner, bad strategy) exits 2.
import { CONFIG_JSON, ConfigJsonError, parseStrategy } from './config-json';
import { type SetConfigsOptions, applyConfig, checkConfig } from './set-configs';

const USAGE = `usage: kolla_set_configs [--check]
Applies ${CONFIG_JSON} (KOLLA_CONFIG_STRATEGY=COPY_ALWAYS|COPY_ONCE).
--check: exit 0 when the files in place match config.json, 1 when something changed.
Errors exit 2.`;

/** Runs the tool; returns the exit code. `opts.root` is for tests only (the CLI has no option for it). */
export function runSetConfigs(argv: string[], env: Record<string, string | undefined>, opts: SetConfigsOptions = {}): number {
  const err = opts.log ?? ((line: string) => process.stderr.write(`kolla_set_configs: ${line}\n`));
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length) {
    err(`unknown argument(s): ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  try {
    if (argv.includes('--check')) return checkConfig({ ...opts, log: err }).length ? 1 : 0;
    applyConfig(parseStrategy(env['KOLLA_CONFIG_STRATEGY']), { ...opts, log: err });
    return 0;
  } catch (e) {
    if (e instanceof ConfigJsonError) err(`error: ${e.message}`);
    else err(`error: ${(e as Error).message ?? String(e)}`);
    return 2;
  }
}
