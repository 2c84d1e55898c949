import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The file behind a loop device (`/dev/loop3` → `/var/lib/zun/mnt/volumes/<id>.img`), read from sysfs;
 * undefined when `device` is not a bound loop device.
 */
export async function loopBackingFile(device: string, sysRoot = '/sys'): Promise<string | undefined> {
  const m = /^\/dev\/(loop\d+)$/.exec(device);
  if (!m?.[1]) return undefined;
  try {
    return stripDeleted((await readFile(join(sysRoot, 'block', m[1], 'loop', 'backing_file'), 'utf8')).trim());
  } catch {
    return undefined;
  }
}

/**
 * Loop devices bound to `file` (an absolute path without symlinks). A device stays bound after its
 * filesystem was unmounted on the host while a container still holds a bind mount of it.
 */
export async function loopDevicesBackedBy(file: string, sysRoot = '/sys'): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(join(sysRoot, 'block'))).filter((n) => /^loop\d+$/.test(n));
  } catch {
    return [];
  }
  const found = await Promise.all(names.map(async (n) => ((await loopBackingFile(`/dev/${n}`, sysRoot)) === file ? `/dev/${n}` : undefined)));
  return found.filter((d): d is string => d !== undefined).sort();
}

/** sysfs appends ` (deleted)` when the file was unlinked while bound. */
function stripDeleted(p: string): string {
  return p.endsWith(' (deleted)') ? p.slice(0, -' (deleted)'.length) : p;
}
