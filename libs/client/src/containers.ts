// `/v1/containers`: the life cycle, actions, logs and exec of containers.
import { NotFound, ZunClientError } from './errors';
import { Microversion } from './microversion';
import { type Query, type Transport } from './transport';
import {
  type Container,
  type ContainerAction,
  type ContainerListOptions,
  type ContainerStatus,
  type ContainerUpdate,
  type CreateContainer,
  type ExecResult,
  type LogsOptions,
  type Page,
} from './types';

const V1_14 = new Microversion(1, 14);
const V1_25 = new Microversion(1, 25);

/** The query of a `next` link, to ask our own endpoint for it (the link's host is the one the API saw). */
export function nextQuery(next: string): Query {
  const q: Query = {};
  for (const [k, v] of new URL(next, 'http://placeholder/').searchParams) q[k] = v;
  return q;
}

const id = (ident: string): string => encodeURIComponent(ident);

export class ContainersApi {
  constructor(private readonly t: Transport) {}

  /** `POST /containers` (`run: true`: created and started, like `zun run`); answers at once, status Creating. */
  async create(body: CreateContainer, opts: { run?: boolean } = {}): Promise<Container> {
    return (await this.t.request<Container>('POST', '/containers', { body, query: { run: opts.run ? 'true' : undefined } })).body;
  }

  /** `zun run`: create and start. */
  run(body: CreateContainer): Promise<Container> {
    return this.create(body, { run: true });
  }

  /** One page of the caller's containers (`all_projects` for admins). */
  async list(opts: ContainerListOptions = {}): Promise<Page<Container>> {
    const query: Query = {};
    for (const [k, v] of Object.entries(opts)) query[k] = v;
    return this.page(query);
  }

  private async page(query: Query): Promise<Page<Container>> {
    const r = await this.t.request<{ containers: Container[]; next?: string | null }>('GET', '/containers', { query });
    return { items: r.body.containers, next: r.body.next ?? null };
  }

  /** Every container, page after page (following `next`). */
  async *listAll(opts: ContainerListOptions = {}): AsyncGenerator<Container> {
    let page = await this.list(opts);
    for (;;) {
      yield* page.items;
      if (!page.next || page.items.length === 0) return;
      page = await this.page(nextQuery(page.next));
    }
  }

  async get(ident: string): Promise<Container> {
    return (await this.t.request<Container>('GET', `/containers/${id(ident)}`)).body;
  }

  /** The container, or null when the API answers 404. */
  async find(ident: string): Promise<Container | null> {
    try {
      return await this.get(ident);
    } catch (err) {
      if (err instanceof NotFound) return null;
      throw err;
    }
  }

  /** `DELETE` (`force`: even while running; `stop`: stop first, 1.12+). Answers 204 at once; the container goes away shortly after. */
  async delete(ident: string, opts: { force?: boolean; stop?: boolean; allProjects?: boolean } = {}): Promise<void> {
    await this.t.request('DELETE', `/containers/${id(ident)}`, {
      query: { force: opts.force ? 'True' : undefined, stop: opts.stop ? 'True' : undefined, all_projects: opts.allProjects ? 'True' : undefined },
    });
  }

  private async action(ident: string, action: string, query?: Query): Promise<void> {
    await this.t.request('POST', `/containers/${id(ident)}/${action}`, { query });
  }

  start(ident: string): Promise<void> {
    return this.action(ident, 'start');
  }

  stop(ident: string, opts: { timeout?: number } = {}): Promise<void> {
    return this.action(ident, 'stop', { timeout: opts.timeout });
  }

  restart(ident: string, opts: { timeout?: number } = {}): Promise<void> {
    return this.action(ident, 'reboot', { timeout: opts.timeout });
  }

  pause(ident: string): Promise<void> {
    return this.action(ident, 'pause');
  }

  unpause(ident: string): Promise<void> {
    return this.action(ident, 'unpause');
  }

  kill(ident: string, signal?: string): Promise<void> {
    return this.action(ident, 'kill', { signal });
  }

  /** Rebuild from the container's image (or another one). */
  rebuild(ident: string, opts: { image?: string; imageDriver?: string } = {}): Promise<void> {
    return this.action(ident, 'rebuild', { image: opts.image, image_driver: opts.imageDriver });
  }

  /** The container's output (stdout and stderr by default). */
  async logs(ident: string, opts: LogsOptions = {}): Promise<string> {
    const r = await this.t.request<string | null>('GET', `/containers/${id(ident)}/logs`, {
      query: { stdout: opts.stdout, stderr: opts.stderr, timestamps: opts.timestamps, tail: opts.tail, since: opts.since },
    });
    return r.body ?? '';
  }

  /** Runs `command` (non-interactive) and answers its output and exit code. */
  async exec(ident: string, command: string[] | string): Promise<ExecResult> {
    const cmd = Array.isArray(command) ? command.map(shellQuote).join(' ') : command;
    return (await this.t.request<ExecResult>('POST', `/containers/${id(ident)}/execute`, { query: { command: cmd, run: 'true', interactive: 'false' } })).body;
  }

  /**
   * Starts `command` interactively (a terminal): answers the exec id and the websocket URL of zun-wsproxy that
   * carries its input and output (what `zun exec --interactive` opens).
   */
  async execInteractive(ident: string, command: string): Promise<{ execId: string; url: string }> {
    const r = (await this.t.request<ExecResult>('POST', `/containers/${id(ident)}/execute`, {
      query: { command, run: 'false', interactive: 'true' },
    })).body;
    if (!r.proxy_url || !r.exec_id) throw new ZunClientError(`the API answered no console URL for exec in ${ident}`);
    return { execId: String(r.exec_id), url: r.proxy_url };
  }

  /** Resizes the terminal of an interactive exec. */
  async execResize(ident: string, execId: string, width: number, height: number): Promise<void> {
    await this.t.request('POST', `/containers/${id(ident)}/execute_resize`, { query: { exec_id: execId, w: width, h: height } });
  }

  /** `PATCH`: name, cpu, memory, auto_heal. */
  async update(ident: string, patch: ContainerUpdate): Promise<Container> {
    return (await this.t.request<Container>('PATCH', `/containers/${id(ident)}`, { body: patch })).body;
  }

  /** A new name: `PATCH` from 1.14, the retired `POST …/rename` before. */
  async rename(ident: string, name: string): Promise<Container> {
    if ((await this.t.apiVersion()).compare(V1_14) >= 0) return this.update(ident, { name });
    return (await this.t.request<Container>('POST', `/containers/${id(ident)}/rename`, { query: { name } })).body;
  }

  /** Commits the container's file system to an image (in Glance); answers the new image's uuid. */
  async commit(ident: string, repository: string, tag?: string): Promise<{ uuid: string }> {
    return (await this.t.request<{ uuid: string }>('POST', `/containers/${id(ident)}/commit`, { query: { repository, tag } })).body;
  }

  /** The tar of `path` in the container (what `zun cp container:path …` reads) and its stat. */
  async getArchive(ident: string, path: string): Promise<{ tar: Buffer; stat: Record<string, unknown> }> {
    const r = await this.t.request<{ data: string; stat: Record<string, unknown> }>('GET', `/containers/${id(ident)}/get_archive`, { query: { path } });
    // the tar travels base64-encoded from 1.25, as a latin-1 string before
    const encoding = (await this.t.apiVersion()).compare(V1_25) >= 0 ? 'base64' : 'latin1';
    return { tar: Buffer.from(r.body.data, encoding), stat: r.body.stat };
  }

  /** Unpacks `tar` at `path` in the container (what `zun cp … container:path` does). */
  async putArchive(ident: string, path: string, tar: Buffer): Promise<void> {
    const encoding = (await this.t.apiVersion()).compare(V1_25) >= 0 ? 'base64' : 'latin1';
    await this.t.request('POST', `/containers/${id(ident)}/put_archive`, { body: { path, data: tar.toString(encoding) } });
  }

  async top(ident: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    return (await this.t.request<{ Titles: string[]; Processes: string[][] }>('GET', `/containers/${id(ident)}/top`, { query: { ps_args: psArgs } })).body;
  }

  async stats(ident: string): Promise<Record<string, unknown>> {
    return (await this.t.request<Record<string, unknown>>('GET', `/containers/${id(ident)}/stats`)).body;
  }

  /** The websocket URL of the container's console (through zun-wsproxy). */
  async attachUrl(ident: string): Promise<string> {
    return (await this.t.request<string>('GET', `/containers/${id(ident)}/attach`)).body;
  }

  async actions(ident: string): Promise<ContainerAction[]> {
    return (await this.t.request<{ containerActions: ContainerAction[] }>('GET', `/containers/${id(ident)}/container_actions`)).body.containerActions;
  }

  async networkAttach(ident: string, opts: { network?: string; port?: string; fixed_ip?: string }): Promise<void> {
    await this.t.request('POST', `/containers/${id(ident)}/network_attach`, { query: opts });
  }

  async networkDetach(ident: string, opts: { network?: string; port?: string }): Promise<void> {
    await this.t.request('POST', `/containers/${id(ident)}/network_detach`, { query: opts });
  }

  /**
   * Polls (every `intervalMs`) until the container has `status` and no task in flight. Throws when it goes to
   * Error instead, disappears, or the time is up.
   */
  async waitFor(ident: string, status: ContainerStatus, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<Container> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const c = await this.get(ident);
      if (c.status === status && c.task_state === null) return c;
      if (c.status === 'Error' && status !== 'Error') throw new ZunClientError(`container ${ident} went to Error: ${c.status_reason ?? ''}`);
      if (Date.now() > deadline) throw new ZunClientError(`container ${ident} is ${c.status} (task ${c.task_state ?? 'none'}), not ${status}, after ${opts.timeoutMs ?? 60_000} ms`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
    }
  }

  /** Polls until the API answers 404 for the container. */
  async waitGone(ident: string, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    while ((await this.find(ident)) !== null) {
      if (Date.now() > deadline) throw new ZunClientError(`container ${ident} is still there after ${opts.timeoutMs ?? 60_000} ms`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
    }
  }
}

/** One word for Zun's shell-style split of an exec command. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}
