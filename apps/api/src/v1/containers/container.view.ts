import { type RequestContext } from '@zun-ts/common';
import { type Container, type ContainerAction, type ContainerActionEvent, type ContainerAddresses } from '@zun-ts/objects';
import { credentialsFromContext, defaultTarget, type PolicyEnforcer } from '@zun-ts/policy';
import { ApiVersion } from '../../http/api-version';
import { formatDateTime } from '../../http/date-format';
import { selfAndBookmark } from '../../http/links';

const V1_18 = new ApiVersion(1, 18);
const V1_24 = new ApiVersion(1, 24);

/**
 * Python's `str(datetime)` of a naive UTC datetime, which is how Zun renders the container's
 * `created_at`/`updated_at`: `2019-05-18 21:02:12`, with `.ffffff` only when there are microseconds.
 */
export function formatPyDateTime(d: Date | null): string | null {
  if (!d) return null;
  const iso = d.toISOString();
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const ms = d.getUTCMilliseconds();
  return ms ? `${base}.${String(ms).padStart(3, '0')}000` : base;
}

/** Container fields the view shows, in the order Zun emits them (`links` goes right after `uuid`). */
export const CONTAINER_VIEW_FIELDS = [
  'uuid', 'name', 'project_id', 'user_id', 'image', 'cpu', 'cpu_policy', 'memory', 'command', 'status', 'status_reason',
  'task_state', 'environment', 'workdir', 'auto_remove', 'ports', 'hostname', 'labels', 'addresses', 'image_pull_policy',
  'host', 'restart_policy', 'status_detail', 'interactive', 'tty', 'image_driver', 'security_groups', 'runtime', 'disk',
  'auto_heal', 'privileged', 'healthcheck', 'registry_id', 'entrypoint', 'published_ports', 'created_at', 'updated_at',
] as const;

/**
 * Fields the caller may not see: those whose `container:get_one:<field>` rule exists and denies
 * them (by default `host`, `image_pull_policy`, `privileged` and `runtime` for non-admins), and
 * `published_ports` below 1.24. `published_ports` is zun-ts's own field (where the `exposed_ports` of 1.24 are
 * published on the host; Zun reaches them through Neutron), so older clients never see it.
 */
export function hiddenContainerFields(policy: PolicyEnforcer, ctx: RequestContext, version: ApiVersion): Set<string> {
  const hidden = new Set<string>();
  if (version.lt(V1_24)) hidden.add('published_ports');
  const creds = credentialsFromContext(ctx);
  const target = defaultTarget(ctx);
  for (const f of CONTAINER_VIEW_FIELDS) {
    const rule = `container:get_one:${f}`;
    if (policy.hasRule(rule) && !policy.enforce(rule, target, creds)) hidden.add(f);
  }
  return hidden;
}

/** What a compiled view reads besides the row: the date format, the links and the registry uuids. */
interface ViewHelpers {
  date(d: Date | null): string | null;
  links(hostUrl: string, uuid: string): unknown;
  registry(id: number | null, uuids: ReadonlyMap<number, string>): string | null;
}

type CompiledView = (c: Container, h: ViewHelpers, hostUrl: string | undefined, registryUuids: ReadonlyMap<number, string>) => Record<string, unknown>;

const VIEW_HELPERS: ViewHelpers = {
  date: formatPyDateTime,
  links: (hostUrl, uuid) => selfAndBookmark(hostUrl, 'containers', uuid),
  // The stored id is internal; Zun shows the registry's uuid (null once the registry is gone).
  registry: (id, uuids) => (id === null ? null : (uuids.get(id) ?? null)),
};

/** Names a view: links or not, then one digit per field of {@link CONTAINER_VIEW_FIELDS} (1 shown, 0 hidden). */
function viewKey(hidden: ReadonlySet<string>, withLinks: boolean): string {
  return `${withLinks ? 'L' : '-'}${CONTAINER_VIEW_FIELDS.map((f) => (hidden.has(f) ? '0' : '1')).join('')}`;
}

/** Compiled views by hidden fields and links (a handful in practice: one per role mix and microversion range). */
const compiledViews = new Map<string, CompiledView>();
const COMPILED_VIEWS_MAX = 64;

/**
 * The view of one hidden-field set as a single object literal, compiled once: lists render hundreds of rows, and a
 * literal gives every view one hidden class, which both the copy and JSON.stringify run through several times faster
 * than an object grown field by field. The source is made from {@link CONTAINER_VIEW_FIELDS} only (identifiers).
 */
function compiledView(hidden: ReadonlySet<string>, withLinks: boolean, key = viewKey(hidden, withLinks)): CompiledView {
  let view = compiledViews.get(key);
  if (view) return view;
  const parts: string[] = [];
  for (const f of CONTAINER_VIEW_FIELDS) {
    if (hidden.has(f)) continue;
    if (f === 'uuid') {
      parts.push('uuid: c.uuid');
      if (withLinks) parts.push('links: h.links(hostUrl, c.uuid)');
    } else if (f === 'created_at' || f === 'updated_at') parts.push(`${f}: h.date(c.${f})`);
    else if (f === 'registry_id') parts.push('registry_id: h.registry(c.registry_id, registryUuids)');
    else parts.push(`${f}: c.${f}`);
  }
  view = new Function('c', 'h', 'hostUrl', 'registryUuids', `return {${parts.join(', ')}};`) as CompiledView;
  if (compiledViews.size >= COMPILED_VIEWS_MAX) compiledViews.clear();
  compiledViews.set(key, view);
  return view;
}

const NO_REGISTRIES: ReadonlyMap<number, string> = new Map();

/**
 * The container view. `hostUrl` adds the self/bookmark links; Zun's list
 * leaves them out (it renders items without a URL). `registryUuids` maps registry row ids to their uuids.
 */
export function containerView(c: Container, hidden: ReadonlySet<string>, hostUrl?: string, registryUuids: ReadonlyMap<number, string> = NO_REGISTRIES): Record<string, unknown> {
  return compiledView(hidden, Boolean(hostUrl))(c, VIEW_HELPERS, hostUrl, registryUuids);
}

/** Views of many containers with the same hidden fields (the view is looked up once). */
export function containerViews(rows: readonly Container[], hidden: ReadonlySet<string>, registryUuids: ReadonlyMap<number, string> = NO_REGISTRIES): Record<string, unknown>[] {
  const view = compiledView(hidden, false);
  const out = new Array<Record<string, unknown>>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = view(rows[i] as Container, VIEW_HELPERS, undefined, registryUuids);
  return out;
}

/** Limits of the list body caches of {@link containerListBody}, per process. */
export const LIST_BODY_CACHE = { maxPages: 256, maxBytes: 16 * 1024 * 1024 } as const;

/** JSON text of each shared row's view, by row object then by view key (and registry uuid for rows that name one). */
const rowTexts = new WeakMap<object, Map<string, string>>();
/** Views of one row kept at most (role mixes × microversion ranges seen for it). */
const ROW_TEXTS_MAX = 8;

/** The last body of each page key, and the very row objects it was rendered from. */
const pageBodies = new Map<string, { rows: readonly object[]; body: Buffer }>();
let pageBodyBytes = 0;

/** What the page cache of {@link containerListBody} holds now (for tests). */
export function listBodyCacheStats(): { pages: number; bytes: number } {
  return { pages: pageBodies.size, bytes: pageBodyBytes };
}

function sameRows(a: readonly object[], b: readonly object[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function rememberPage(key: string, rows: readonly object[], body: Buffer): void {
  const old = pageBodies.get(key);
  if (old) {
    pageBodyBytes -= old.body.length;
    pageBodies.delete(key);
  }
  if (body.length > LIST_BODY_CACHE.maxBytes) return;
  pageBodies.set(key, { rows, body });
  pageBodyBytes += body.length;
  for (const [k, p] of pageBodies) {
    if (pageBodies.size <= LIST_BODY_CACHE.maxPages && pageBodyBytes <= LIST_BODY_CACHE.maxBytes) break;
    pageBodies.delete(k);
    pageBodyBytes -= p.body.length;
  }
}

/**
 * The list answer, `{"containers": [views…], "next": next}`, as the bytes `JSON.stringify` gives for it, from rows
 * `listShared` returned (ADR 0024). Rows are frozen shared objects, unchanged as long as they are the same object:
 * each row's view text is rendered once per view and kept with the row (a WeakMap, so it goes with the row), and a
 * page made of exactly the row objects of the last page of the same view, next link and registries is answered with
 * the same Buffer. Rows that are not frozen are rendered each time (they could change under the cache). The Buffer
 * may be shared: callers send it and never write to it.
 */
export function containerListBody(
  rows: readonly Readonly<Container>[],
  hidden: ReadonlySet<string>,
  next: string | null,
  registryUuids: ReadonlyMap<number, string> = NO_REGISTRIES,
): Buffer {
  const key = viewKey(hidden, false);
  let registries = '';
  for (const [id, uuid] of registryUuids) registries += `${id}=${uuid};`;
  const pageKey = `${key}|${registries}|${next ?? ''}|${rows.length}|${rows[0]?.uuid ?? ''}`;
  const cached = pageBodies.get(pageKey);
  if (cached && sameRows(cached.rows, rows)) {
    // most recently used last: the oldest page goes first
    pageBodies.delete(pageKey);
    pageBodies.set(pageKey, cached);
    return cached.body;
  }
  const view = compiledView(hidden, false, key);
  const texts = new Array<string>(rows.length);
  let shared = true;
  for (let i = 0; i < rows.length; i++) {
    const c = rows[i] as Container;
    if (!Object.isFrozen(c)) {
      shared = false;
      texts[i] = JSON.stringify(view(c, VIEW_HELPERS, undefined, registryUuids));
      continue;
    }
    const textKey = c.registry_id === null ? key : `${key}|${registryUuids.get(c.registry_id) ?? ''}`;
    let known = rowTexts.get(c);
    let text = known?.get(textKey);
    if (text === undefined) {
      text = JSON.stringify(view(c, VIEW_HELPERS, undefined, registryUuids));
      if (!known) rowTexts.set(c, (known = new Map()));
      else if (known.size >= ROW_TEXTS_MAX) known.clear();
      known.set(textKey, text);
    }
    texts[i] = text;
  }
  const body = Buffer.from(`{"containers":[${texts.join(',')}],"next":${JSON.stringify(next)}}`, 'utf8');
  if (shared) rememberPage(pageKey, rows.slice(), body);
  return body;
}

/** A container action (list item), times as `YYYY-MM-DDTHH:MM:SS.ffffff`. */
export function actionView(a: ContainerAction): Record<string, unknown> {
  return {
    action: a.action,
    container_uuid: a.container_uuid,
    request_id: a.request_id,
    user_id: a.user_id,
    project_id: a.project_id,
    start_time: formatDateTime(a.start_time),
    finish_time: formatDateTime(a.finish_time),
    message: a.message,
  };
}

/** An action event; the traceback only for callers allowed `container:action:events`. */
export function eventView(e: ContainerActionEvent, showTraceback: boolean): Record<string, unknown> {
  return {
    event: e.event,
    start_time: formatDateTime(e.start_time),
    finish_time: formatDateTime(e.finish_time),
    result: e.result,
    traceback: showTraceback ? e.traceback : null,
  };
}

/** `network_list`: before 1.18 one entry per address, from 1.18 one per port with its fixed IPs. */
export function networksView(addresses: ContainerAddresses, version: ApiVersion): { networks: unknown[] } {
  if (version.lt(V1_18)) {
    return {
      networks: Object.entries(addresses).flatMap(([netId, infos]) =>
        infos.map((a) => ({ net_id: netId, subnet_id: a.subnet_id ?? null, port_id: a.port ?? null, version: a.version ?? null, ip_address: a.addr ?? null })),
      ),
    };
  }
  const networks: unknown[] = [];
  for (const [netId, infos] of Object.entries(addresses)) {
    const byPort = new Map<string | null, unknown[]>();
    for (const a of infos) {
      const port = a.port ?? null;
      byPort.set(port, [...(byPort.get(port) ?? []), { subnet_id: a.subnet_id ?? null, version: a.version ?? null, ip_address: a.addr ?? null }]);
    }
    for (const [port, fixedIps] of byPort) networks.push({ net_id: netId, port_id: port, fixed_ips: fixedIps });
  }
  return { networks };
}
