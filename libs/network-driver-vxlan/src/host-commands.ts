import { execFile } from 'node:child_process';
import { NetworkDriverError, NetworkDriverUnavailable } from '@zun-ts/network-driver';

/** Runs a host tool (`ip`, `bridge`, `ebtables`, `iptables`) and answers its stdout. */
export type HostCommandRunner = (cmd: string, args: readonly string[]) => Promise<string>;

/** The error of a command that ran and failed (exit status ≠ 0). */
export class HostCommandFailed extends NetworkDriverError {
  constructor(readonly command: string, readonly stderr: string, readonly exitCode: number | null) {
    super(`${command} failed (exit ${String(exitCode)}): ${stderr.trim() || 'no output'}`);
  }
}

/** `/run/netns/<name>`, or the path itself when given one. */
export function netnsPath(netns: string): string {
  return netns.includes('/') ? netns : `/run/netns/${netns}`;
}

/**
 * The argv that runs `cmd args` in the network namespace `netns` (or here). `nsenter --net=` rather than
 * `ip netns exec`: the latter remounts /sys, which tools reading sysfs would then miss.
 */
export function commandArgv(cmd: string, args: readonly string[], netns: string | undefined): [string, string[]] {
  return netns ? ['nsenter', [`--net=${netnsPath(netns)}`, cmd, ...args]] : [cmd, [...args]];
}

/** A runner using execFile (no shell), inside `netns` when given. */
export function hostCommandRunner(opts: { netns?: string; timeoutMs?: number } = {}): HostCommandRunner {
  return (cmd, args) => {
    const [file, argv] = commandArgv(cmd, args, opts.netns);
    const shown = `${cmd} ${args.join(' ')}`;
    return new Promise((resolve, reject) => {
      execFile(file, argv, { timeout: opts.timeoutMs ?? 20_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
        if (e.code === 'ENOENT') return reject(new NetworkDriverUnavailable(`${file} is not installed on this host.`));
        if (e.killed) return reject(new NetworkDriverUnavailable(`${shown} timed out.`));
        reject(new HostCommandFailed(shown, String(stderr), typeof e.code === 'number' ? e.code : null));
      });
    });
  };
}
