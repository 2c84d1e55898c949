// Build contexts. Most images build from deploy/images/<name>/ as it is; two
// need files from elsewhere, staged in the cache directory so that unchanged
// inputs give identical files (and Docker reuses every layer):
//  - base: Node 20 (the binary running this tool) and the bundled
//    kolla_set_configs.js and kolla_healthcheck.js from dist/tools;
//  - zun-base: dist/ and the production node_modules only. `npm prune
//    --omit=dev` runs on a copy, again only when package-lock.json changed.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ImageSpec } from './images';

const run = promisify(execFile);

export interface Context {
  dir: string;
  /** Top-level entries of the build context. */
  entries: string[];
}

export interface StageInputs {
  /** The repository checkout (deploy/images, dist/, node_modules). */
  repo: string;
  cacheDir: string;
  log: (line: string) => void;
}

function need(path: string, hint: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing (${hint})`);
  return path;
}

/** Copies `src` over `dest` unless their bytes are equal (keeps the file untouched when nothing changed). */
function syncFile(src: string, dest: string): void {
  if (existsSync(dest) && readFileSync(src).equals(readFileSync(dest))) return;
  copyFileSync(src, dest);
}

/** Makes `dest` hold exactly the files of `src` (recursively), rewriting only files that differ. */
function syncTree(src: string, dest: string, skip: (name: string) => boolean = () => false): void {
  mkdirSync(dest, { recursive: true });
  const names = readdirSync(src).filter((n) => !skip(n));
  for (const extra of readdirSync(dest)) if (!names.includes(extra)) rmSync(join(dest, extra), { recursive: true, force: true });
  for (const name of names) {
    const from = join(src, name);
    if (statSync(from).isDirectory()) syncTree(from, join(dest, name), skip);
    else syncFile(from, join(dest, name));
  }
}

function copyDir(src: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const name of readdirSync(src)) syncFile(join(src, name), join(dest, name));
}

async function productionModules(inputs: StageInputs, dest: string): Promise<void> {
  const lock = readFileSync(need(join(inputs.repo, 'package-lock.json'), 'the repository has no lock file'));
  const key = createHash('sha256').update(lock).digest('hex');
  const stamp = join(dest, '.lock-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === key) return;
  inputs.log('staging the production node_modules (npm prune --omit=dev on a copy)');
  rmSync(join(dest, 'node_modules'), { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  copyFileSync(join(inputs.repo, 'package.json'), join(dest, 'package.json'));
  copyFileSync(join(inputs.repo, 'package-lock.json'), join(dest, 'package-lock.json'));
  // npm reads the workspaces' package.json files to know the tree
  for (const top of ['apps', 'libs']) {
    for (const ws of readdirSync(join(inputs.repo, top))) {
      const pkg = join(inputs.repo, top, ws, 'package.json');
      if (!existsSync(pkg)) continue;
      mkdirSync(join(dest, top, ws), { recursive: true });
      copyFileSync(pkg, join(dest, top, ws, 'package.json'));
    }
  }
  await run('cp', ['-a', need(join(inputs.repo, 'node_modules'), 'run npm ci'), join(dest, 'node_modules')]);
  await run('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dest, maxBuffer: 16 * 1024 * 1024 });
  // the libraries are bundled into dist/: their workspace links are not needed
  for (const p of ['node_modules/@zun-ts', 'node_modules/.package-lock.json', 'apps', 'libs']) rmSync(join(dest, p), { recursive: true, force: true });
  writeFileSync(stamp, `${key}\n`);
}

/** The build context of an image. */
export async function stageContext(image: ImageSpec, inputs: StageInputs): Promise<Context> {
  const src = need(join(inputs.repo, 'deploy', 'images', image.name), 'not a zun-ts checkout?');
  if (image.stage === 'dir') return { dir: src, entries: readdirSync(src) };
  const dir = join(inputs.cacheDir, 'stage', image.name);
  mkdirSync(dir, { recursive: true });
  copyDir(src, dir);
  const dist = join(inputs.repo, 'dist');
  const built = 'run "node tools/build.mjs" first';
  if (image.stage === 'base') {
    syncFile(realpathSync(process.execPath), join(dir, 'node'));
    for (const f of ['kolla_set_configs.js', 'kolla_healthcheck.js']) syncFile(need(join(dist, 'tools', f), built), join(dir, f));
    return { dir, entries: readdirSync(dir) };
  }
  // zun-base
  const opt = join(dir, 'opt', 'zun-ts');
  mkdirSync(opt, { recursive: true });
  await productionModules(inputs, opt);
  need(join(dist, 'apps', 'api', 'main.js'), built);
  // the deployment tool itself does not go into the images
  syncTree(dist, join(opt, 'dist'), (name) => name.startsWith('zun-kolla'));
  mkdirSync(join(dir, 'etc', 'zun'), { recursive: true });
  syncFile(join(inputs.repo, 'apps', 'api', 'etc', 'api-paste.ini'), join(dir, 'etc', 'zun', 'api-paste.ini'));
  return { dir, entries: readdirSync(dir) };
}
