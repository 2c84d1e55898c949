// The project's containers: a table polled every 2 s (rows updated in place, so the status changes live) with
// the actions of each container.
import { type Container, type ContainerStatus, Unauthorized, type ZunClient } from '@zun-ts/client';
import { h, messageOf, replace } from './dom';

/** Raised on `window` when the API refuses the session's token. */
export const SESSION_EXPIRED = 'zun-session-expired';

export type Action = 'logs' | 'terminal' | 'start' | 'stop' | 'delete';

/** The CSS class of a status badge. */
export function statusClass(status: ContainerStatus | string): string {
  switch (status) {
    case 'Running':
      return 'status ok';
    case 'Created':
    case 'Stopped':
    case 'Paused':
      return 'status idle';
    case 'Error':
    case 'Unknown':
      return 'status bad';
    default:
      return 'status busy';
  }
}

/** The text of the status cell: the status, with the task in progress when there is one. */
export function statusText(c: Pick<Container, 'status' | 'task_state'>): string {
  return c.task_state ? `${c.status} (${c.task_state})` : c.status;
}

/** Which actions a container in `status` with `taskState` allows now. */
export function allowedActions(status: ContainerStatus | string, taskState: string | null): Set<Action> {
  const out = new Set<Action>(['logs', 'delete']);
  if (taskState) return status === 'Creating' ? new Set(['delete']) : out;
  if (status === 'Running') {
    out.add('stop');
    out.add('terminal');
  }
  if (status === 'Created' || status === 'Stopped') out.add('start');
  return out;
}

/** The addresses of a container, `ip, ip`. */
export function addressesText(addresses: Container['addresses']): string {
  return Object.values(addresses ?? {})
    .flat()
    .map((a) => a.addr)
    .join(', ');
}

export interface ContainerTableHooks {
  /** Open the logs or the terminal of a container. */
  open(what: 'logs' | 'terminal', c: Container): void;
  /** A container left the list (deleted). */
  gone(uuid: string): void;
}

const LABELS: Record<Action, string> = { logs: 'Logs', terminal: 'Terminal', start: 'Start', stop: 'Stop', delete: 'Delete' };
const ORDER: Action[] = ['logs', 'terminal', 'start', 'stop', 'delete'];

interface Row {
  tr: HTMLTableRowElement;
  cells: { name: HTMLElement; image: HTMLElement; status: HTMLElement; addresses: HTMLElement };
  buttons: Map<Action, HTMLButtonElement>;
  container: Container;
}

export class ContainerTable {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly message: HTMLElement;
  private readonly rows = new Map<string, Row>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly zun: ZunClient,
    private readonly hooks: ContainerTableHooks,
    private readonly intervalMs = 2000,
  ) {
    this.body = h('tbody');
    this.message = h('p', { class: 'message', id: 'containers-message', role: 'status' });
    this.element = h(
      'section',
      { class: 'containers' },
      h('table', { id: 'containers' }, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Image'), h('th', {}, 'Status'), h('th', {}, 'Addresses'), h('th', {}, 'Actions'))), this.body),
      this.message,
    );
  }

  start(): void {
    this.stopped = false;
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Fetches the list now (after an action) instead of at the next tick. */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    void this.poll();
  }

  private async poll(): Promise<void> {
    try {
      const list: Container[] = [];
      for await (const c of this.zun.containers.listAll()) list.push(c);
      this.render(list);
      if (this.message.dataset['kind'] === 'poll') this.say('');
    } catch (err) {
      if (err instanceof Unauthorized) {
        // The token expired or was revoked: the page goes back to the login form.
        this.stop();
        window.dispatchEvent(new CustomEvent(SESSION_EXPIRED));
        return;
      }
      this.say(`Could not list the containers: ${messageOf(err)}`, 'poll');
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), this.intervalMs);
  }

  private say(text: string, kind = 'action'): void {
    this.message.className = text ? 'message error' : 'message';
    this.message.dataset['kind'] = kind;
    replace(this.message, text);
  }

  private render(list: Container[]): void {
    const seen = new Set<string>();
    for (const c of list) {
      seen.add(c.uuid);
      const row = this.rows.get(c.uuid) ?? this.addRow(c);
      row.container = c;
      row.cells.name.textContent = c.name ?? c.uuid;
      row.cells.image.textContent = c.image;
      row.cells.status.textContent = statusText(c);
      row.cells.status.className = statusClass(c.status);
      row.cells.status.title = c.status_reason ?? '';
      row.cells.addresses.textContent = addressesText(c.addresses);
      row.tr.dataset['status'] = c.status;
      const allowed = allowedActions(c.status, c.task_state);
      for (const [a, b] of row.buttons) b.disabled = !allowed.has(a);
    }
    for (const [uuid, row] of this.rows) {
      if (seen.has(uuid)) continue;
      row.tr.remove();
      this.rows.delete(uuid);
      this.hooks.gone(uuid);
    }
    if (!list.length && !this.body.querySelector('.empty')) this.body.append(h('tr', { class: 'empty' }, h('td', { colspan: 5 }, 'No containers in this project.')));
    if (list.length) this.body.querySelector('.empty')?.remove();
  }

  private addRow(c: Container): Row {
    const cells = { name: h('td', { class: 'name' }), image: h('td'), status: h('span'), addresses: h('td') };
    const buttons = new Map<Action, HTMLButtonElement>();
    const actions = h('td', { class: 'row-actions' });
    for (const a of ORDER) {
      const b = h('button', { type: 'button', 'data-action': a, class: a === 'delete' ? 'danger' : '' }, LABELS[a]);
      b.addEventListener('click', () => this.act(a, row));
      buttons.set(a, b);
      actions.append(b);
    }
    const tr = h('tr', { 'data-uuid': c.uuid }, cells.name, cells.image, h('td', {}, cells.status), cells.addresses, actions);
    const row: Row = { tr, cells, buttons, container: c };
    this.body.append(tr);
    this.rows.set(c.uuid, row);
    return row;
  }

  private act(a: Action, row: Row): void {
    const c = row.container;
    const label = c.name ?? c.uuid;
    if (a === 'logs' || a === 'terminal') {
      this.hooks.open(a, c);
      return;
    }
    if (a === 'delete' && !confirm(`Delete ${label}? A running container is stopped first.`)) return;
    const call = a === 'start' ? this.zun.containers.start(c.uuid) : a === 'stop' ? this.zun.containers.stop(c.uuid) : this.zun.containers.delete(c.uuid, { stop: true });
    for (const b of row.buttons.values()) b.disabled = true;
    call
      .then(() => {
        this.say('');
        this.refresh();
      })
      .catch((err: unknown) => {
        this.say(`${LABELS[a]} ${label}: ${messageOf(err)}`);
        this.refresh();
      });
  }
}
