// The engine's side of `zun-kolla build`: import the root file system once per
// checksum, and build each image through the build API (the legacy builder;
// no buildx or BuildKit needed), reporting how many steps came from the cache.
import { createReadStream } from 'node:fs';
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

/** Counts `Step n/m` and `Using cache` lines of a legacy-builder output. */
export function summarize(lines: string[]): { steps: number; cached: number } {
  return { steps: lines.filter((l) => /^Step \d+\/\d+ :/.test(l)).length, cached: lines.filter((l) => /^ ---> Using cache$/.test(l)).length };
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
    labels: { 'org.zun-ts.kolla.built-by': 'zun-kolla' },
  } as Docker.ImageBuildOptions);
  await follow(docker, stream, (e) => {
    if (e.stream) lines.push(...e.stream.split('\n').filter((l) => l.trim() !== ''));
    if (e.aux?.ID) id = e.aux.ID;
    if (e.error) failure = e.errorDetail?.message ?? e.error;
  });
  const tail = lines.slice(-15);
  if (failure) throw Object.assign(new Error(`${failure}\n${tail.join('\n')}`), { tail });
  if (!id) id = (await docker.getImage(refs[0] as string).inspect()).Id;
  for (const ref of refs.slice(1)) {
    const [repo, tag] = splitRef(ref);
    await docker.getImage(id).tag({ repo, tag });
  }
  return { id, ...summarize(lines), tail };
}
