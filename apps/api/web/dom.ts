import { ZunApiError } from '@zun-ts/client';

// A few helpers to build the page without a framework: elements from a tag, attributes and children.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;

/** `h('button', { class: 'x', onclick: f }, 'Text')`: `on*` attributes are listeners, `false`/`null` ones are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'value' && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)) el.value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
}

/** Replaces the children of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** The value of the form control named `name` inside `form` ('' when absent). */
export function field(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement ? el.value : '';
}

/** The selected values of a `<select multiple>` named `name`. */
export function selected(form: HTMLFormElement, name: string): string[] {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLSelectElement ? [...el.selectedOptions].map((o) => o.value).filter(Boolean) : [];
}

/** The message of anything thrown, for the page. */
export function messageOf(err: unknown): string {
  if (err instanceof ZunApiError) return err.detail || err.title;
  return err instanceof Error ? err.message : String(err);
}
