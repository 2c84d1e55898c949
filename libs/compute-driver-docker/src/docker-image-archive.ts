import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { InvalidValue } from '@zun-ts/common';
import { type ImageLoadResult } from './driver-contract';
import { toZunError } from './docker-errors';

/** One line of the engine's answer to `POST /images/load`. */
interface LoadLine {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * What `docker load` said, from its JSON lines: `Loaded image: repo:tag` for each tagged image,
 * `Loaded image ID: sha256:…` for untagged ones, or an error.
 */
export function parseLoadOutput(text: string): { refs: string[]; ids: string[]; error: string | null } {
  const refs: string[] = [];
  const ids: string[] = [];
  let error: string | null = null;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let doc: LoadLine;
    try {
      doc = JSON.parse(line) as LoadLine;
    } catch {
      continue;
    }
    if (doc.error || doc.errorDetail?.message) error = doc.errorDetail?.message ?? doc.error ?? 'image load failed';
    for (const l of (doc.stream ?? '').split('\n')) {
      const ref = /^Loaded image: (\S+)/.exec(l.trim())?.[1];
      if (ref) refs.push(ref);
      const id = /^Loaded image ID: (\S+)/.exec(l.trim())?.[1];
      if (id) ids.push(id);
    }
  }
  return { refs, ids, error };
}

/** `docker load` of a streamed archive; the image's id comes from the engine (inspect of the first name). */
export async function loadImageArchive(api: Docker, archive: Readable): Promise<ImageLoadResult> {
  let answer: NodeJS.ReadableStream;
  try {
    answer = await api.loadImage(archive, { quiet: true });
  } catch (err) {
    throw toZunError(err, 'image');
  }
  const chunks: Buffer[] = [];
  for await (const c of answer as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  const out = parseLoadOutput(Buffer.concat(chunks).toString('utf8'));
  if (out.error) throw new InvalidValue(`The image archive could not be loaded: ${out.error}`);
  const first = out.refs[0] ?? out.ids[0];
  if (!first) throw new InvalidValue('The image archive held no image');
  try {
    const info = await api.getImage(first).inspect();
    return { image_id: info.Id, refs: out.refs };
  } catch (err) {
    throw toZunError(err, 'image');
  }
}

/** `docker save` of one image, streamed. */
export async function saveImageArchive(api: Docker, ref: string): Promise<Readable> {
  try {
    // inspect first: a missing image is a clear ImageNotFound rather than an error mid-stream
    await api.getImage(ref).inspect();
    const stream = await api.getImage(ref).get();
    return stream instanceof Readable ? stream : Readable.from(stream as AsyncIterable<Buffer>);
  } catch (err) {
    throw toZunError(err, 'image');
  }
}

/** `docker tag ref repo:tag`. */
export async function tagImage(api: Docker, ref: string, repo: string, tag: string): Promise<void> {
  try {
    await api.getImage(ref).tag({ repo, tag });
  } catch (err) {
    throw toZunError(err, 'image');
  }
}
