// The "new container" form: its values, turned into the body of POST /v1/containers (pure, tested), and the form.
import { type CreateContainer, type Mount, type ZunClient } from '@zun-ts/client';
import { field, h, messageOf, replace, selected } from './dom';

/** The form's values as typed. */
export interface CreateFormValues {
  name: string;
  image: string;
  command: string;
  cpu: string;
  /** MiB. */
  memory: string;
  /** One `KEY=VALUE` a line. */
  environment: string;
  /** Network names or ids. */
  networks: string[];
  /** One `<volume>:<destination>` or `<size>G:<destination>` (a new volume) a line. */
  mounts: string;
  interactive: boolean;
}

export class FormError extends Error {}

/** Splits a command line into words as a shell would for quotes and backslashes (no expansion). */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) word += line[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new FormError(`Command: unclosed ${quote} quote.`);
  if (inWord) words.push(word);
  return words;
}

/** `KEY=VALUE` lines (blank lines and `#` comments skipped). */
export function parseEnvironment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new FormError(`Environment line ${i + 1}: expected KEY=VALUE, got "${line}".`);
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw new FormError(`Environment line ${i + 1}: "${key}" is not a variable name.`);
    env[key] = line.slice(eq + 1);
  }
  return env;
}

/** `<volume>:<destination>` (an existing volume) or `<n>G:<destination>` (a new volume of n GiB) lines. */
export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf(':');
    const source = at > 0 ? line.slice(0, at).trim() : '';
    const destination = at > 0 ? line.slice(at + 1).trim() : '';
    if (!source || !destination.startsWith('/')) throw new FormError(`Mounts line ${i + 1}: expected <volume>:/path or <size>G:/path, got "${line}".`);
    const size = /^(\d+)G$/i.exec(source);
    mounts.push(size ? { size: size[1] as string, destination } : { source, destination });
  }
  return mounts;
}

function positive(label: string, text: string, integer: boolean): number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new FormError(`${label}: "${t}" is not a positive ${integer ? 'whole ' : ''}number.`);
  return n;
}

/** The body of `POST /v1/containers` for the form's values; FormError names the field that is wrong. */
export function createBody(v: CreateFormValues): CreateContainer {
  const image = v.image.trim();
  if (!image) throw new FormError('Image: required.');
  if (/\s/.test(image)) throw new FormError('Image: no spaces allowed.');
  const body: CreateContainer = { image };
  const name = v.name.trim();
  if (name) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new FormError('Name: letters, digits, "_", "." and "-" only, starting with a letter or digit.');
    body.name = name;
  }
  const command = splitCommand(v.command.trim());
  if (command.length) body.command = command;
  const cpu = positive('CPU', v.cpu, false);
  if (cpu !== undefined) body.cpu = cpu;
  const memory = positive('Memory (MiB)', v.memory, true);
  if (memory !== undefined) body.memory = String(memory);
  const env = parseEnvironment(v.environment);
  if (Object.keys(env).length) body.environment = env;
  if (v.networks.length) body.nets = v.networks.map((network) => ({ network }));
  const mounts = parseMounts(v.mounts);
  if (mounts.length) body.mounts = mounts;
  if (v.interactive) {
    body.interactive = true;
    body.tty = true;
  }
  return body;
}

/** The form; `created` is told of each container made. */
export function createForm(zun: ZunClient, created: (uuid: string) => void): HTMLElement {
  const message = h('p', { class: 'message', id: 'create-message', role: 'status' });
  const networks = h('select', { name: 'networks', multiple: true, size: 2, id: 'create-networks' });
  const form = h(
    'form',
    { id: 'create-form', class: 'create-form' },
    h('label', {}, 'Name', h('input', { name: 'name', placeholder: 'optional', autocomplete: 'off' })),
    h('label', {}, 'Image *', h('input', { name: 'image', required: true, placeholder: 'e.g. busybox', autocomplete: 'off' })),
    h('label', { class: 'wide' }, 'Command', h('input', { name: 'command', placeholder: 'e.g. sleep 300', autocomplete: 'off' })),
    h('label', {}, 'CPU', h('input', { name: 'cpu', inputmode: 'decimal', placeholder: 'e.g. 0.5' })),
    h('label', {}, 'Memory (MiB)', h('input', { name: 'memory', inputmode: 'numeric', placeholder: 'e.g. 64' })),
    h('label', { class: 'wide' }, 'Environment (KEY=VALUE a line)', h('textarea', { name: 'environment', rows: 2 })),
    h('label', {}, 'Networks', networks),
    h('label', {}, 'Mounts (volume:/path or 1G:/path a line)', h('textarea', { name: 'mounts', rows: 2 })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'interactive' }), 'Interactive (tty)'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'create-submit' }, 'Create')),
    message,
  );
  // Networks are offered when the cloud has any (the list needs the networks API; without it the field stays empty).
  void zun.networks
    .list()
    .then((page) => {
      for (const n of page.items) networks.append(h('option', { value: String(n['uuid'] ?? n['id'] ?? '') }, String(n['name'] ?? n['uuid'] ?? '')));
      if (!page.items.length) networks.append(h('option', { value: '', disabled: true }, "the project's network (default)"));
    })
    .catch(() => networks.append(h('option', { value: '', disabled: true }, "the project's network (default)")));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const values: CreateFormValues = {
      name: field(form, 'name'),
      image: field(form, 'image'),
      command: field(form, 'command'),
      cpu: field(form, 'cpu'),
      memory: field(form, 'memory'),
      environment: field(form, 'environment'),
      networks: selected(form, 'networks'),
      mounts: field(form, 'mounts'),
      interactive: (form.elements.namedItem('interactive') as HTMLInputElement | null)?.checked ?? false,
    };
    let body: CreateContainer;
    try {
      body = createBody(values);
    } catch (err) {
      message.className = 'message error';
      replace(message, messageOf(err));
      return;
    }
    message.className = 'message';
    replace(message, 'Creating…');
    zun.containers
      .run(body)
      .then((c) => {
        replace(message, `Created ${c.name ?? c.uuid}.`);
        form.reset();
        created(c.uuid);
      })
      .catch((err: unknown) => {
        message.className = 'message error';
        replace(message, messageOf(err));
      });
  });
  return form;
}
