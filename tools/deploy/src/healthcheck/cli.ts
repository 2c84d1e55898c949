// Command line of the images' health checks:
//   kolla_healthcheck curl URL | listen PROC PORT... | port PROC PORT... | filemod FILE SECS
// (/usr/local/bin/healthcheck_<kind> calls it). Exit 0 healthy, 1 not: Docker
// reserves 2, so a usage error is 1 too.
import { type CheckResult, checkCurl, checkFilemod, checkListen, checkPort } from './healthcheck';

const USAGE = 'usage: kolla_healthcheck curl URL | listen PROC PORT... | port PROC PORT... | filemod FILE SECS';

function ports(args: string[]): number[] | null {
  const p = args.map(Number);
  return p.length && p.every((n) => Number.isInteger(n) && n > 0 && n < 65536) ? p : null;
}

/** Runs one check; `proc` is /proc except in tests. Prints one line; resolves to the exit code. */
export async function runHealthcheck(argv: string[], out: (line: string) => void, proc = '/proc'): Promise<number> {
  const [kind, ...args] = argv;
  let result: CheckResult | null = null;
  if (kind === 'curl' && args.length === 1) result = await checkCurl(args[0] as string);
  else if ((kind === 'listen' || kind === 'port') && args.length >= 2) {
    const p = ports(args.slice(1));
    if (p) result = (kind === 'listen' ? checkListen : checkPort)(proc, args[0] as string, p);
  } else if (kind === 'filemod' && args.length === 2 && /^\d+$/.test(args[1] as string)) result = checkFilemod(args[0] as string, Number(args[1]));
  if (!result) {
    out(USAGE);
    return 1;
  }
  out(result.message);
  return result.ok ? 0 : 1;
}
