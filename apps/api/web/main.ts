// The web console: the login form, then the project's containers (and, for admins, the services and hosts).
import { type Container, Unauthorized, type ZunClient } from '@zun-ts/client';
import { hostsView, servicesView } from './admin';
import { ContainerTable, SESSION_EXPIRED } from './containers';
import { createForm } from './create-form';
import { field, h, messageOf, replace } from './dom';
import { logsPanel } from './logs';
import { clientOf, isAdmin, login, logout, type Session, storedSession } from './session';
import { terminalPanel } from './terminal';

const root = document.getElementById('app') as HTMLElement;

/** What the current view holds on to (timers, sockets), released when it is left. */
let cleanups: Array<() => void> = [];
function leave(): void {
  for (const f of cleanups) f();
  cleanups = [];
}

function showLogin(message = ''): void {
  leave();
  const error = h('p', { class: message ? 'message error' : 'message', id: 'login-error', role: 'alert' }, message);
  const form = h(
    'form',
    { id: 'login-form', class: 'login' },
    h('h1', {}, 'Zun console'),
    h('label', {}, 'User name', h('input', { name: 'username', id: 'username', required: true, autocomplete: 'username' })),
    h('label', {}, 'Password', h('input', { name: 'password', id: 'password', type: 'password', required: true, autocomplete: 'current-password' })),
    h('label', {}, 'Project', h('input', { name: 'project', id: 'project', placeholder: 'default project', autocomplete: 'off' })),
    h('label', {}, 'Domain', h('input', { name: 'domain', id: 'domain', placeholder: 'Default', autocomplete: 'off' })),
    h('button', { type: 'submit', id: 'login-submit' }, 'Log in'),
    error,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    replace(error, 'Logging in…');
    error.className = 'message';
    login({ username: field(form, 'username'), password: field(form, 'password'), project: field(form, 'project'), domain: field(form, 'domain') })
      .then(showConsole)
      .catch((err: unknown) => {
        error.className = 'message error';
        replace(error, messageOf(err));
      });
  });
  replace(root, form);
  (form.elements.namedItem('username') as HTMLInputElement).focus();
}

type Tab = 'containers' | 'services' | 'hosts';

function showConsole(s: Session): void {
  leave();
  const zun: ZunClient = clientOf(s);
  const content = h('main', { id: 'content' });
  const tabs = h('nav', { class: 'tabs' });
  const header = h(
    'header',
    {},
    h('strong', {}, 'Zun console'),
    tabs,
    h('span', { class: 'who', id: 'who' }, `${s.user.name} @ ${s.project.name}${isAdmin(s) ? ' (admin)' : ''}`),
    h('button', { type: 'button', id: 'logout', onclick: () => { logout(); showLogin(); } }, 'Log out'),
  );
  replace(root, header, content);
  let leaveTab: () => void = () => undefined;
  const open = (tab: Tab): void => {
    leaveTab();
    for (const b of tabs.querySelectorAll('button')) b.classList.toggle('active', b.dataset['tab'] === tab);
    if (tab === 'containers') leaveTab = containersTab(zun, content);
    else if (tab === 'services') {
      const v = servicesView(zun);
      replace(content, v.element);
      leaveTab = () => v.stop();
    } else {
      replace(content, hostsView(zun));
      leaveTab = () => undefined;
    }
  };
  const names: Tab[] = isAdmin(s) ? ['containers', 'services', 'hosts'] : ['containers'];
  for (const t of names) tabs.append(h('button', { type: 'button', 'data-tab': t, id: `tab-${t}`, onclick: () => open(t) }, t[0]?.toUpperCase() + t.slice(1)));
  cleanups.push(() => leaveTab());
  open('containers');
}

function containersTab(zun: ZunClient, content: HTMLElement): () => void {
  const panel = h('section', { class: 'panel', id: 'panel', hidden: true });
  let closePanel: () => void = () => undefined;
  let panelFor = '';
  const hide = (): void => {
    closePanel();
    closePanel = () => undefined;
    panelFor = '';
    panel.hidden = true;
    panel.replaceChildren();
  };
  const table = new ContainerTable(zun, {
    open(what, c: Container) {
      hide();
      panelFor = c.uuid;
      const title = h('h2', {}, `${what === 'logs' ? 'Logs' : 'Terminal'} — ${c.name ?? c.uuid}`);
      const close = h('button', { type: 'button', id: 'panel-close', onclick: hide }, 'Close');
      if (what === 'logs') replace(panel, h('div', { class: 'panel-head' }, title, close), logsPanel(zun, c));
      else {
        const t = terminalPanel(zun, c);
        closePanel = t.close;
        replace(panel, h('div', { class: 'panel-head' }, title, close), t.element);
      }
      panel.hidden = false;
    },
    gone(uuid) {
      if (uuid === panelFor) hide();
    },
  });
  replace(content, h('details', { class: 'create', open: true }, h('summary', {}, 'New container'), createForm(zun, () => table.refresh())), table.element, panel);
  table.start();
  return () => {
    table.stop();
    hide();
  };
}

// A token that expired or was revoked: back to the login form.
const expired = (): void => {
  logout();
  showLogin('Your session has expired; log in again.');
};
window.addEventListener(SESSION_EXPIRED, expired);
window.addEventListener('unhandledrejection', (ev) => {
  if (ev.reason instanceof Unauthorized) expired();
});

const s = storedSession();
if (s) showConsole(s);
else showLogin();
