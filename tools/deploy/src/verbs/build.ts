// build: the image tree, offline, through the engine's build API:
//   debootstrap root file system (cached outside the repository) → debian
//   → base → mariadb, redis, keystone, zun-base → zun-<svc>
// Each image is tagged <namespace>/<name>:<version> (--version, default
// package.json's; + written _) and with every --tag
// (default: latest). Unchanged inputs reuse every layer, so a warm build takes
// seconds. Needs dist/ (node tools/build.mjs) and node_modules.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Docker from 'dockerode';
import { buildImage, importRootfs, inputsDigest, tagAll, upToDate } from '../build/builder';
import { IMAGES, ROOTFS_IMAGE, imageName, selectImages } from '../build/images';
import { aptMirror, ensureRootfs, localAptSources } from '../build/rootfs';
import { stageContext } from '../build/stage';
import { UsageError, versionTag } from '../cli/args';
import { Reporter } from '../cli/report';
import { type Verb } from './verb';

export const DEFAULT_CACHE_DIR = '/var/cache/zun-kolla';
export const NAMESPACE = 'zun-ts';

/** The checkout holding deploy/images: up from the running file, else the working directory. */
export function findRepo(start: string = __dirname): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'deploy', 'images', 'base', 'Dockerfile'))) return dir;
    if (dirname(dir) === dir) break;
  }
  if (existsSync(join(process.cwd(), 'deploy', 'images', 'base', 'Dockerfile'))) return process.cwd();
  throw new UsageError('deploy/images is not found: run zun-kolla build from a zun-ts checkout');
}

/** The engine to build on: --docker-host, DOCKER_HOST, or the local socket (unix:// and tcp:// without TLS). */
export function buildEngine(url: string | undefined): Docker {
  const u = url ?? process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  if (u.startsWith('unix://')) return new Docker({ socketPath: u.slice('unix://'.length), timeout: 0 });
  const m = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(u);
  if (m) return new Docker({ protocol: 'http', host: m[1] as string, port: Number(m[2]) });
  throw new UsageError(`--docker-host ${u}: only unix:// and tcp://HOST:PORT`);
}

const seconds = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

export const build: Verb = {
  name: 'build',
  summary: 'build the images offline (debootstrap root file system cached in --cache-dir) on --docker-host',
  async run(ctx) {
    const report = new Reporter(ctx.io);
    const opts = ctx.opts;
    const repo = findRepo();
    const version = opts.version ?? (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
    const tag = versionTag(version);
    const tags = [tag, ...(opts.tags.length ? opts.tags : ['latest'])].filter((t, i, a) => a.indexOf(t) === i);
    let images;
    try {
      images = selectImages(opts.images);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const cacheDir = resolve(opts.cacheDir ?? process.env['ZUN_KOLLA_CACHE'] ?? DEFAULT_CACHE_DIR);
    const docker = buildEngine(opts.dockerHost);
    const t0 = Date.now();
    const log = (line: string): void => report.step('build', '-', 'info', line);

    const mirror = opts.mirror ?? aptMirror(localAptSources());
    const rootfs = await ensureRootfs(cacheDir, mirror, opts.refreshRootfs, log);
    const debianRef = imageName(NAMESPACE, ROOTFS_IMAGE, `bookworm-${rootfs.digest}`);
    const imported = await importRootfs(docker, rootfs.tar, debianRef, imageName(NAMESPACE, ROOTFS_IMAGE, 'bookworm'));
    report.step('build', ROOTFS_IMAGE, debianRef, `${rootfs.made ? 'debootstrap, ' : 'cached root file system, '}${imported ? 'imported' : 'already in the engine'} (${seconds(t0)})`);

    const ids: Record<string, string> = {};
    // inputs digest -> image id of earlier builds (per engine: the file is keyed by the engine's id)
    const engineId = (await docker.info()).ID as string;
    const knownFile = join(cacheDir, `built-${engineId.replace(/[^A-Za-z0-9]/g, '')}.json`);
    const known: Record<string, string> = existsSync(knownFile) ? (JSON.parse(readFileSync(knownFile, 'utf8')) as Record<string, string>) : {};
    for (const image of images) {
      const t1 = Date.now();
      const refs = tags.map((t) => imageName(NAMESPACE, image.name, t));
      const parent = image.parent === ROOTFS_IMAGE ? debianRef : imageName(NAMESPACE, image.parent as string, tag);
      const context = await stageContext(image, { repo, cacheDir, log });
      // zun-base carries the release (ZUN_VERSION, its last layer): the services log and export it
      const buildargs: Record<string, string> = { [image.parentArg]: parent, ...(image.name === 'zun-base' ? { ZUN_VERSION: version } : {}) };
      try {
        const parentId = (await docker.getImage(parent).inspect()).Id;
        const digest = inputsDigest(context, parentId, buildargs);
        const same = await upToDate(docker, refs[0] as string, digest, known);
        if (same) {
          // the inputs are those of the image in the engine: every layer would come from the cache
          await tagAll(docker, same, refs.slice(1));
          ids[image.name] = same;
          report.step('build', image.name, refs[0] as string, `unchanged in ${seconds(t1)} (same inputs, every layer reused)`);
          continue;
        }
        const r = await buildImage(docker, context, refs, buildargs);
        ids[image.name] = r.id;
        known[digest] = r.id;
        writeFileSync(knownFile, `${JSON.stringify(known, null, 1)}\n`);
        report.step('build', image.name, refs[0] as string, `built in ${seconds(t1)} (${r.cached}/${r.steps} steps from the cache)`);
      } catch (e) {
        report.error(`build ${image.name}: ${(e as Error).message}`);
        return 1;
      }
    }
    for (const image of images) {
      const info = await docker.getImage(ids[image.name] as string).inspect();
      report.step('build', image.name, 'size', `${(info.Size / 1e6).toFixed(0)} MB`);
    }
    const all = images.length === IMAGES.length ? 'all images' : images.map((i) => i.name).join(', ');
    report.info(`build: ${all} tagged ${tags.join(', ')} in ${seconds(t0)}`);
    return 0;
  },
};
