// The Debian bookworm root file system every image starts from: made once by
// `debootstrap --variant=minbase` from a Debian mirror, kept as a tar file in
// the cache directory (outside the repository), and imported into each engine
// under a tag naming its checksum, so a warm build imports nothing and every
// layer above it stays cached.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SUITE = 'bookworm';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/**
 * The first Debian archive in apt's sources (one-line `deb` lines and deb822
 * `.sources` files), skipping suites such as bookworm-security; the default
 * mirror when there is none.
 */
export function aptMirror(files: { name: string; text: string }[]): string {
  for (const { name, text } of files) {
    if (name.endsWith('.list')) {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m?.[1] && m[2] && !m[2].includes('-')) return m[1];
      }
    } else if (name.endsWith('.sources')) {
      for (const para of text.split(/\n\s*\n/)) {
        const field = (k: string): string => new RegExp(`^${k}:\\s*(.*)$`, 'mi').exec(para)?.[1]?.trim() ?? '';
        if (!/(^|\s)deb(\s|$)/.test(field('Types')) || field('Enabled').toLowerCase() === 'no') continue;
        const uri = field('URIs').split(/\s+/)[0];
        if (uri && field('Suites').split(/\s+/).some((s) => s && !s.includes('-'))) return uri;
      }
    }
  }
  return DEFAULT_MIRROR;
}

/** This machine's apt sources, for aptMirror(). */
export function localAptSources(): { name: string; text: string }[] {
  const files: string[] = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) for (const f of readdirSync(dir).sort()) files.push(join(dir, f));
  return files.map((f) => ({ name: f, text: readFileSync(f, 'utf8') }));
}

export interface Rootfs {
  tar: string;
  /** sha256 of the tar file, first 12 hex digits (the imported image's tag). */
  digest: string;
  /** Whether this call ran debootstrap. */
  made: boolean;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/**
 * The cached root file system, made with debootstrap when the cache has none
 * (or `refresh`). Needs root and debootstrap for that first run only.
 */
export async function ensureRootfs(cacheDir: string, mirror: string, refresh: boolean, log: (line: string) => void): Promise<Rootfs> {
  mkdirSync(cacheDir, { recursive: true });
  const tar = join(cacheDir, `debian-${SUITE}-minbase.tar`);
  const sumFile = `${tar}.sha256`;
  if (!refresh && existsSync(tar)) {
    if (!existsSync(sumFile)) writeFileSync(sumFile, `${await sha256File(tar)}\n`);
    return { tar, digest: readFileSync(sumFile, 'utf8').trim().slice(0, 12), made: false };
  }
  const tree = join(cacheDir, 'rootfs.tmp');
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree);
  chmodSync(tree, 0o755); // it becomes the image's /
  log(`debootstrap --variant=minbase ${SUITE} from ${mirror}`);
  try {
    await run('debootstrap', ['--variant=minbase', SUITE, tree, mirror], { maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { code?: string; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('debootstrap is not installed (apt-get install debootstrap), or run as root');
    const tail = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim().split('\n').slice(-10).join('\n');
    throw new Error(`debootstrap failed:\n${tail}`);
  }
  for (const d of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
    const dir = join(tree, d);
    for (const f of readdirSync(dir)) if (f !== 'partial' && f !== 'lock') rmSync(join(dir, f), { recursive: true, force: true });
  }
  await run('tar', ['--numeric-owner', '-C', tree, '-cf', `${tar}.tmp`, '.'], { maxBuffer: 16 * 1024 * 1024 });
  renameSync(`${tar}.tmp`, tar);
  rmSync(tree, { recursive: true, force: true });
  const digest = await sha256File(tar);
  writeFileSync(sumFile, `${digest}\n`);
  return { tar, digest: digest.slice(0, 12), made: true };
}
