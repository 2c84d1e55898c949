import { readdirSync, readFileSync } from 'node:fs';
import { type ChildProcess } from 'node:child_process';

/** State and parent pid of `pid` from /proc/<pid>/stat, or null when the process is gone. */
function statOf(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(ppid);
    return state !== undefined && Number.isInteger(parent) ? { state, ppid: parent } : null;
  } catch {
    return null;
  }
}

/** The pids of the live processes whose parent is `pid` (Linux /proc; zombies left out), in ascending order. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = Number(name);
    const st = p === pid ? null : statOf(p);
    if (st && st.ppid === pid && st.state !== 'Z') out.push(p);
  }
  return out.sort((a, b) => a - b);
}

/** Every live descendant of `pid` (children, their children, …). */
export function descendantPids(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    for (const c of childPids(p)) {
      out.push(c);
      queue.push(c);
    }
  }
  return out.sort((a, b) => a - b);
}

/** Sends `signal` to a child process we spawned and resolves once it has exited (at once when it is not running). */
export async function signalAndWait(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, signal);
  await exited;
}
