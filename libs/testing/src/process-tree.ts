import { readdirSync, readFileSync } from 'node:fs';

/** The parent pid of `pid` from /proc/<pid>/stat, or null when the process is gone. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/** The pids of the live processes whose parent is `pid` (Linux /proc), in ascending order. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = Number(name);
    if (p !== pid && parentOf(p) === pid) out.push(p);
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
