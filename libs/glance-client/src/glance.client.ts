import { Readable } from 'node:stream';
import { type ReadableStream as WebReadableStream } from 'node:stream/web';
import { Conflict, ImageNotFound, InvalidValue, NotAuthorized, ServiceUnavailable, Unauthorized, type ZunError } from '@zun-ts/common';
import { type CreateImageRequest, type GlanceImage, type ListImagesFilter } from './glance.types';
import { type TokenSource } from './keystone-password.auth';

/** How a {@link GlanceClient} reaches Glance. */
export interface GlanceClientOptions {
  /** The image service's base URL (`http://glance:9292`, with or without `/v2`), or where to find it. */
  endpoint: string | (() => Promise<string>);
  /** Tokens for `X-Auth-Token`: a service login, or the user's token the API holds. */
  auth: TokenSource;
  /** Bound on waiting for the answer's headers, in ms (bodies stream without a bound). @default 30000 */
  timeoutMs?: number;
  /** Sent as `X-Openstack-Request-Id`, so Glance's log lines carry the request id. */
  requestId?: string;
}

type Body = string | WebReadableStream<Uint8Array> | undefined;

/** Glance's API (v2), over `fetch`: image records, and their data streamed both ways, never held in memory whole. */
export class GlanceClient {
  private readonly timeoutMs: number;

  constructor(private readonly opts: GlanceClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** A queued image record (no data yet). */
  async createImage(req: CreateImageRequest): Promise<GlanceImage> {
    const body: Record<string, unknown> = {
      name: req.name,
      container_format: req.container_format ?? 'docker',
      disk_format: req.disk_format ?? 'raw',
    };
    if (req.id !== undefined) body['id'] = req.id;
    if (req.owner !== undefined) body['owner'] = req.owner;
    if (req.tags !== undefined) body['tags'] = req.tags;
    if (req.visibility !== undefined) body['visibility'] = req.visibility;
    const res = await this.send('POST', '/v2/images', { 'Content-Type': 'application/json' }, JSON.stringify(body));
    return this.image(res);
  }

  /** An image record; ImageNotFound when the token may not see it or it does not exist. */
  async getImage(id: string): Promise<GlanceImage> {
    return this.image(await this.send('GET', `/v2/images/${encodeURIComponent(id)}`));
  }

  /** The image record, or null when absent (or invisible to the token). */
  async findImage(id: string): Promise<GlanceImage | null> {
    try {
      return await this.getImage(id);
    } catch (err) {
      if (err instanceof ImageNotFound) return null;
      throw err;
    }
  }

  /** Images the token may see, following Glance's pages (`next`) up to `filter.max`. */
  async listImages(filter: ListImagesFilter = {}): Promise<GlanceImage[]> {
    const max = filter.max ?? 1000;
    const q = new URLSearchParams({ limit: String(Math.min(max, 200)), visibility: filter.visibility ?? 'all' });
    if (filter.name !== undefined) q.set('name', filter.name);
    if (filter.owner !== undefined) q.set('owner', filter.owner);
    if (filter.status !== undefined) q.set('status', filter.status);
    const out: GlanceImage[] = [];
    let path: string | null = `/v2/images?${q.toString()}`;
    while (path !== null && out.length < max) {
      const res = await this.send('GET', path);
      const doc = (await this.json(res)) as { images?: GlanceImage[]; next?: string };
      const page = Array.isArray(doc.images) ? doc.images : [];
      out.push(...page.map(normalize));
      path = page.length > 0 && typeof doc.next === 'string' ? doc.next : null;
    }
    return out.slice(0, max);
  }

  /** Images named exactly `name` that the token may see. */
  findImagesByName(name: string): Promise<GlanceImage[]> {
    return this.listImages({ name });
  }

  /**
   * Uploads the image's data from a stream (chunked: the length need not be known). The image must be `queued`;
   * Glance answers 409 (Conflict here) otherwise.
   */
  async uploadImage(id: string, data: Readable | AsyncIterable<Uint8Array>): Promise<void> {
    const readable = data instanceof Readable ? data : Readable.from(data);
    const body = Readable.toWeb(readable) as WebReadableStream<Uint8Array>;
    const res = await this.send('PUT', `/v2/images/${encodeURIComponent(id)}/file`, { 'Content-Type': 'application/octet-stream' }, body);
    await res.body?.cancel();
  }

  /** The image's data as a stream; ImageNotFound when it has none (not uploaded yet) or is not visible. */
  async downloadImage(id: string): Promise<Readable> {
    const res = await this.send('GET', `/v2/images/${encodeURIComponent(id)}/file`);
    if (res.status === 204 || res.body === null) {
      await res.body?.cancel();
      throw new ImageNotFound(`Image ${id} has no data`);
    }
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  }

  /** Deletes the image; one that is already gone is not an error. */
  async deleteImage(id: string): Promise<void> {
    try {
      const res = await this.send('DELETE', `/v2/images/${encodeURIComponent(id)}`);
      await res.body?.cancel();
    } catch (err) {
      if (!(err instanceof ImageNotFound)) throw err;
    }
  }

  /** The membership of `project` in a shared image: `accepted`, `pending`, `rejected`, or null when not a member. */
  async memberStatus(imageId: string, project: string): Promise<string | null> {
    try {
      const res = await this.send('GET', `/v2/images/${encodeURIComponent(imageId)}/members/${encodeURIComponent(project)}`);
      const doc = (await this.json(res)) as { status?: unknown };
      return typeof doc.status === 'string' ? doc.status : null;
    } catch (err) {
      if (err instanceof ImageNotFound) return null;
      throw err;
    }
  }

  private async base(): Promise<string> {
    const e = typeof this.opts.endpoint === 'string' ? this.opts.endpoint : await this.opts.endpoint();
    return e.replace(/\/+$/, '').replace(/\/v2$/, '');
  }

  /**
   * One request; a 401 is answered by a new token and one more try, unless the body was a stream (it cannot be sent
   * twice). Non-2xx answers become ZunErrors.
   */
  private async send(method: string, path: string, headers: Record<string, string> = {}, body?: Body): Promise<Response> {
    const url = `${await this.base()}${path}`;
    const replayable = body === undefined || typeof body === 'string';
    for (let attempt = 0; ; attempt++) {
      const token = await this.opts.auth.token();
      const res = await this.fetch(url, method, { Accept: 'application/json', 'X-Auth-Token': token, ...headers, ...this.requestIdHeader() }, body);
      if (res.ok) return res;
      const text = await res.text().catch(() => '');
      if (res.status === 401 && attempt === 0 && replayable && this.opts.auth.refused) {
        this.opts.auth.refused(token);
        continue;
      }
      throw errorFor(res.status, method, path, text);
    }
  }

  private requestIdHeader(): Record<string, string> {
    return this.opts.requestId ? { 'X-Openstack-Request-Id': this.opts.requestId } : {};
  }

  private async fetch(url: string, method: string, headers: Record<string, string>, body: Body): Promise<Response> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: ac.signal };
      if (body !== undefined) {
        init.body = body as NonNullable<RequestInit['body']>;
        if (typeof body !== 'string') init.duplex = 'half';
      }
      return await fetch(url, init);
    } catch (err) {
      throw new ServiceUnavailable(`Image service unavailable: ${method} ${url}: ${causeOf(err)}`);
    } finally {
      // the headers are in: the body streams at its own pace
      clearTimeout(timer);
    }
  }

  private async image(res: Response): Promise<GlanceImage> {
    return normalize((await this.json(res)) as GlanceImage);
  }

  private async json(res: Response): Promise<unknown> {
    try {
      return await res.json();
    } catch (err) {
      throw new ServiceUnavailable(`Image service sent an unreadable answer: ${(err as Error).message}`);
    }
  }
}

/** Glance leaves out fields without a value on some versions: make them null. */
function normalize(i: GlanceImage): GlanceImage {
  return {
    ...i,
    name: i.name ?? null,
    owner: i.owner ?? null,
    container_format: i.container_format ?? null,
    disk_format: i.disk_format ?? null,
    size: typeof i.size === 'number' ? i.size : null,
    checksum: i.checksum ?? null,
    tags: Array.isArray(i.tags) ? i.tags : [],
  };
}

/** Glance's answer in Zun's error terms; the message carries what Glance said (its HTML/JSON body, trimmed). */
export function errorFor(status: number, method: string, path: string, text: string): ZunError {
  const said = glanceMessage(text);
  const what = `${method} ${path.split('?')[0] ?? path}`;
  switch (status) {
    case 400:
      return new InvalidValue(`Image service refused ${what}${said}`);
    case 401:
      return new Unauthorized(`Image service refused the token (${what})${said}`);
    case 403:
      return new NotAuthorized(`Image service forbids ${what}${said}`);
    case 404:
      return new ImageNotFound(`Image not found in the image service (${what})${said}`);
    case 409:
      return new Conflict(`Image service conflict on ${what}${said}`);
    default:
      return status >= 500 ? new ServiceUnavailable(`Image service failed ${what}: HTTP ${status}${said}`) : new Conflict(`Image service refused ${what}: HTTP ${status}${said}`);
  }
}

/** Glance's error bodies are HTML-ish text or `{"message": …}`: one line of it. */
function glanceMessage(text: string): string {
  let s = text;
  try {
    const doc = JSON.parse(text) as { message?: unknown; title?: unknown };
    if (typeof doc.message === 'string') s = doc.message;
  } catch {
    // not JSON
  }
  s = s.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  if (s.length > 300) s = `${s.slice(0, 300)}…`;
  return s ? `: ${s}` : '';
}

function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  return cause instanceof Error ? cause.message : err.message;
}
