// The engine's side of `zun-kolla build`: import the root file system once per
// checksum, and build each image through the build API (the legacy builder;
// no buildx or BuildKit needed), reporting how many steps came from the cache.
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { type Context } from './stage';

export interface BuildResult {
  id: string;
  steps: number;
  cached: number;
  /** The last lines of the build output (for a failure report). */
  tail: string[];
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/**
 * Counts the steps of a legacy-builder output that make a layer (not ARG or
 * FROM, which never say "Using cache") and those taken from the cache.
 */
export function summarize(lines: string[]): { steps: number; cached: number } {
  return {
    steps: lines.filter((l) => /^Step \d+\/\d+ : /.test(l) && !/^Step \d+\/\d+ : (FROM|ARG) /i.test(l)).length,
    cached: lines.filter((l) => /^ ---> Using cache$/.test(l)).length,
  };
}

/**
 * A digest of everything a build reads: each context file's path, mode and
 * bytes (recursively, in name order), the parent image's id and the build
 * arguments. Equal digests mean the build would reuse every layer.
 */
export function inputsDigest(ctx: Context, parentId: string, buildargs: Record<string, string>): string {
  const h = createHash('sha256');
  h.update(`${parentId}\n${JSON.stringify(Object.entries(buildargs).sort())}\n`);
  const walk = (rel: string): void => {
    const abs = join(ctx.dir, rel);
    const st = lstatSync(abs);
    h.update(`${rel}\0${st.mode}\0`);
    if (st.isDirectory()) for (const name of readdirSync(abs).sort()) walk(join(rel, name));
    else if (st.isSymbolicLink()) h.update(readlinkSync(abs));
    else h.update(readFileSync(abs));
  };
  for (const e of [...ctx.entries].sort()) walk(e);
  return h.digest('hex').slice(0, 32);
}

/**
 * The image's id when the engine's `ref` is the image last built from inputs
 * `digest` (recorded in `known`: digest → image id), else null. The digest is
 * kept outside the image: as a build label it would change every step's cache key.
 */
export async function upToDate(docker: Docker, ref: string, digest: string, known: Record<string, string>): Promise<string | null> {
  try {
    const info = await docker.getImage(ref).inspect();
    return known[digest] === info.Id ? info.Id : null;
  } catch {
    return null;
  }
}

/** Tags an image with more references. */
export async function tagAll(docker: Docker, id: string, refs: string[]): Promise<void> {
  for (const ref of refs) {
    const [repo, tag] = splitRef(ref);
    await docker.getImage(id).tag({ repo, tag });
  }
}

async function hasImage(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Imports the cached root file system under `ref` unless an image of that name exists. */
export async function importRootfs(docker: Docker, tar: string, ref: string, alsoTag: string): Promise<boolean> {
  const made = !(await hasImage(docker, ref));
  if (made) {
    const [repo, tag] = splitRef(ref);
    const stream = await docker.importImage(createReadStream(tar), { repo, tag, changes: ['CMD ["/bin/bash"]'] } as Record<string, unknown>);
    await follow(docker, stream);
  }
  const [repo, tag] = splitRef(alsoTag);
  await docker.getImage(ref).tag({ repo, tag });
  return made;
}

export function splitRef(ref: string): [string, string] {
  const i = ref.lastIndexOf(':');
  return i > ref.lastIndexOf('/') ? [ref.slice(0, i), ref.slice(i + 1)] : [ref, 'latest'];
}

function follow(docker: Docker, stream: NodeJS.ReadableStream, onEvent: (e: BuildEvent) => void = () => {}): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (e: BuildEvent) => onEvent(e),
    );
  });
}

/**
 * Builds one image from a staged context and tags it with every ref. The
 * engine's host network is used for RUN steps (apt-get reaches the mirror
 * without a bridge); nothing is pulled.
 */
export async function buildImage(docker: Docker, ctx: Context, refs: string[], buildargs: Record<string, string>): Promise<BuildResult> {
  const lines: string[] = [];
  let failure: string | undefined;
  let id = '';
  const stream = await docker.buildImage({ context: ctx.dir, src: ctx.entries }, {
    t: refs[0],
    buildargs,
    pull: false,
    rm: true,
    forcerm: true,
    networkmode: 'host',
  } as Docker.ImageBuildOptions);
  await follow(docker, stream, (e) => {
    if (e.stream) lines.push(...e.stream.split('\n').filter((l) => l.trim() !== ''));
    if (e.aux?.ID) id = e.aux.ID;
    if (e.error) failure = e.errorDetail?.message ?? e.error;
  });
  const tail = lines.slice(-15);
  if (failure) throw Object.assign(new Error(`${failure}\n${tail.join('\n')}`), { tail });
  if (!id) id = (await docker.getImage(refs[0] as string).inspect()).Id;
  await tagAll(docker, id, refs.slice(1));
  return { id, ...summarize(lines), tail };
}
