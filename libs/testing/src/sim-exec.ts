import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type SimHost } from './sim-hosts';

const run = promisify(execFile);

/** `docker -H <host> args…` on a simulated host's own engine: its stdout; rejects on a non-zero exit. */
export async function simDocker(host: SimHost, args: string[], timeoutMs = 30_000): Promise<string> {
  const { stdout } = await run('docker', ['-H', host.dockerHost, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Exit code and output (stdout then stderr) of `sh -c script` in a container of a simulated host's engine. */
export async function simSh(host: SimHost, container: string, script: string, timeoutMs = 30_000): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('docker', ['-H', host.dockerHost, 'exec', container, 'sh', '-c', script], { timeout: timeoutMs });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Whether the container gets an answer to `ping ip` (`tries` pings of 1 s each, the first answer is enough). */
export async function simPings(host: SimHost, container: string, ip: string, tries = 3): Promise<boolean> {
  const r = await simSh(host, container, `for i in $(seq ${tries}); do ping -c 1 -W 1 ${ip} >/dev/null 2>&1 && exit 0; done; exit 1`);
  return r.code === 0;
}
