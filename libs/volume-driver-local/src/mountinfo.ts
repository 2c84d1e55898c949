import { readFile } from 'node:fs/promises';

/** One line of `/proc/<pid>/mountinfo`. */
export interface MountEntry {
  mountId: number;
  parentId: number;
  /** `major:minor` of the filesystem's device. */
  device: string;
  /** Path inside the filesystem that is mounted (`/` for a whole filesystem). */
  root: string;
  mountPoint: string;
  options: string;
  fstype: string;
  /** `/dev/loop3`, `overlay`, ... */
  source: string;
  superOptions: string;
}

/** Mountinfo escapes space, tab, newline and backslash as `\ooo` octal. */
export function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses mountinfo text (see proc(5)); lines that do not parse are skipped. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    if (pre.length < 6 || post.length < 2) continue;
    const [id, parent, device, root, mountPoint, options] = pre as [string, string, string, string, string, string];
    const [fstype, source, superOptions = ''] = post as [string, string, string?];
    out.push({
      mountId: Number(id),
      parentId: Number(parent),
      device,
      root: unescapeMountPath(root),
      mountPoint: unescapeMountPath(mountPoint),
      options,
      fstype,
      source: unescapeMountPath(source),
      superOptions,
    });
  }
  return out;
}

/** The mounts this process sees. */
export async function readMounts(path = '/proc/self/mountinfo'): Promise<MountEntry[]> {
  return parseMountinfo(await readFile(path, 'utf8'));
}

/** The mount on top at `mountPoint` (the last one listed when several are stacked), or undefined. */
export function mountAt(mounts: readonly MountEntry[], mountPoint: string): MountEntry | undefined {
  for (let i = mounts.length - 1; i >= 0; i--) {
    const m = mounts[i];
    if (m && m.mountPoint === mountPoint) return m;
  }
  return undefined;
}
