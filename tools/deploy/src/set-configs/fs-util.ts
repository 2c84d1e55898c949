// File-system helpers of kolla_set_configs: globs, user/group names, tree copy
// and comparison. Every absolute path is taken inside `root` (a temp dir in
// tests, `/` in a container). Node built-ins only.
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigJsonError } from './config-json';

/** An absolute container path inside `root`. */
export function under(root: string, path: string): string {
  return root === '/' ? path : join(root, path);
}

function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expands a glob (`*`, `?`, `[...]` in any segment) to the matching container paths, sorted. */
export function expandGlob(root: string, pattern: string): string[] {
  const segments = pattern.split('/').filter(Boolean);
  let found = ['/'];
  for (const seg of segments) {
    const next: string[] = [];
    const magic = /[*?[]/.test(seg);
    for (const dir of found) {
      if (!magic) {
        const p = join(dir, seg);
        if (existsSync(under(root, p))) next.push(p);
        continue;
      }
      const real = under(root, dir);
      if (!existsSync(real) || !statSync(real).isDirectory()) continue;
      const re = segmentRegExp(seg);
      for (const name of readdirSync(real).sort()) if (re.test(name) && !(name.startsWith('.') && !seg.startsWith('.'))) next.push(join(dir, name));
    }
    found = next;
  }
  return segments.length ? found : [];
}

export interface Ids {
  uid: number;
  gid: number;
}

/** Resolves `user[:group]` with the container's /etc/passwd and /etc/group; without a group, the user's primary group. */
export function resolveOwner(root: string, owner: string): Ids {
  const table = (file: string): string[][] => {
    const path = under(root, file);
    if (!existsSync(path)) throw new ConfigJsonError(`${file} is missing: cannot resolve owner "${owner}"`);
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => l.split(':'));
  };
  const [user, group] = owner.split(':') as [string, string | undefined];
  const pw = table('/etc/passwd').find((f) => f[0] === user);
  if (!pw) throw new ConfigJsonError(`owner "${owner}": no user "${user}" in /etc/passwd`);
  let gid = Number(pw[3]);
  if (group !== undefined) {
    const gr = table('/etc/group').find((f) => f[0] === group);
    if (!gr) throw new ConfigJsonError(`owner "${owner}": no group "${group}" in /etc/group`);
    gid = Number(gr[2]);
  }
  return { uid: Number(pw[2]), gid };
}

/** A directory gets x wherever its mode grants r, so a readable directory can be entered. */
export function modeFor(perm: number, isDir: boolean): number {
  return isDir ? perm | ((perm & 0o444) >> 2) : perm;
}

/** Copies a file or a directory tree (contents only; properties are set afterwards). Symbolic links are followed. */
export function copyTree(src: string, dest: string): void {
  if (statSync(src).isDirectory()) {
    mkdirSync(dest, { recursive: true });
    for (const name of readdirSync(src)) copyTree(join(src, name), join(dest, name));
  } else {
    copyFileSync(src, dest);
  }
}

/** Every path of a tree, the root first, as [absolute path, relative path]. */
export function walk(path: string, rel = ''): [string, string][] {
  const out: [string, string][] = [[path, rel]];
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) out.push(...walk(join(path, name), rel ? `${rel}/${name}` : name));
  }
  return out;
}

/** Sets owner and mode on a path, and on everything below it when `recurse`. */
export function setProperties(path: string, ids: Ids | undefined, perm: number | undefined, recurse: boolean, exclude: RegExp[] = [], containerPath = path): void {
  const items: [string, string][] = recurse ? walk(path).map(([abs, rel]) => [abs, rel ? `${containerPath}/${rel}` : containerPath]) : [[path, containerPath]];
  for (const [abs, inContainer] of items) {
    if (exclude.some((re) => re.test(inContainer))) continue;
    if (ids) chownSync(abs, ids.uid, ids.gid);
    if (perm !== undefined) chmodSync(abs, modeFor(perm, statSync(abs).isDirectory()));
  }
}

/** The owner and mode a copied path must end up with. */
export type WantedProperties = (srcPath: string, isDir: boolean) => { mode: number; ids?: Ids };

/**
 * Why the tree at `dest` differs from `src` with the wanted properties (content,
 * mode, owner), or null when it matches. With `allowExtra` (a merged directory),
 * files in dest that src lacks are fine. `label` names dest in the reason.
 */
export function treeDifference(src: string, dest: string, props: WantedProperties, label: string, allowExtra = false): string | null {
  if (!existsSync(dest)) return `${label} is missing`;
  const wanted = walk(src);
  if (!allowExtra) {
    const names = (l: [string, string][]): string => l.map(([, r]) => r).join('\n');
    if (names(wanted) !== names(walk(dest))) return `${label}: the set of files differs`;
  }
  for (const [s, rel] of wanted) {
    const d = rel ? join(dest, rel) : dest;
    const name = rel ? `${label}/${rel}` : label;
    if (!existsSync(d)) return `${name} is missing`;
    const ss = statSync(s);
    const ds = statSync(d);
    if (ss.isDirectory() !== ds.isDirectory()) return `${name}: file type differs`;
    if (!ss.isDirectory() && !readFileSync(s).equals(readFileSync(d))) return `${name}: content differs`;
    const want = props(s, ss.isDirectory());
    if ((ds.mode & 0o7777) !== want.mode) return `${name}: mode ${(ds.mode & 0o7777).toString(8)} instead of ${want.mode.toString(8)}`;
    if (want.ids && (ds.uid !== want.ids.uid || ds.gid !== want.ids.gid)) return `${name}: owner ${ds.uid}:${ds.gid} instead of ${want.ids.uid}:${want.ids.gid}`;
  }
  return null;
}
