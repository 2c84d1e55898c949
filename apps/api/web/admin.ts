// For admins: the zun services (with their state, as `zun service-list` shows it) and the compute hosts.
import { type ZunClient, type ZunService } from '@zun-ts/client';
import { h, messageOf, replace } from './dom';

/** `up`, `down`, `disabled` or `forced down`, as the console shows a service. */
export function serviceState(s: Pick<ZunService, 'state' | 'disabled' | 'forced_down'>): string {
  if (s.forced_down) return 'forced down';
  if (s.disabled) return `disabled (${s.state})`;
  return s.state;
}

function table(id: string, head: string[], rows: string[][]): HTMLTableElement {
  return h(
    'table',
    { id },
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', {}, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((x) => h('td', {}, x))))),
  );
}

/** The services table, read again every 5 s while shown. */
export function servicesView(zun: ZunClient): { element: HTMLElement; stop(): void } {
  const element = h('section', { class: 'admin' }, h('p', { class: 'muted' }, 'Loading…'));
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const load = async (): Promise<void> => {
    try {
      const list = await zun.services.list();
      replace(
        element,
        table(
          'services',
          ['Host', 'Binary', 'State', 'Availability zone', 'Last seen', 'Reason'],
          list.map((s) => [s.host, s.binary, serviceState(s), s.availability_zone ?? '', s.last_seen_up ?? s.updated_at ?? '', s.disabled_reason ?? '']),
        ),
      );
      for (const td of element.querySelectorAll('tbody td:nth-child(3)')) td.className = td.textContent === 'up' ? 'status ok' : 'status bad';
    } catch (err) {
      replace(element, h('p', { class: 'message error' }, `Could not list the services: ${messageOf(err)}`));
    }
    if (!stopped) timer = setTimeout(() => void load(), 5000);
  };
  void load();
  return {
    element,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

const num = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

export function hostsView(zun: ZunClient): HTMLElement {
  const element = h('section', { class: 'admin' }, h('p', { class: 'muted' }, 'Loading…'));
  zun.hosts
    .list()
    .then((page) =>
      replace(
        element,
        table(
          'hosts',
          ['Hostname', 'CPUs used / total', 'Memory used / total (MiB)', 'Disk used / total (GiB)', 'Containers', 'Architecture', 'Kernel'],
          page.items.map((x) => [
            num(x['hostname']),
            `${num(x['cpu_used'])} / ${num(x['cpus'])}`,
            `${num(x['mem_used'])} / ${num(x['mem_total'])}`,
            `${num(x['disk_used'])} / ${num(x['disk_total'])}`,
            num(x['total_containers']),
            num(x['architecture']),
            num(x['kernel_version']),
          ]),
        ),
      ),
    )
    .catch((err: unknown) => replace(element, h('p', { class: 'message error' }, `Could not list the hosts: ${messageOf(err)}`)));
  return element;
}
