// A container's output (stdout and stderr, the last 500 lines), with a button to read it again.
import { type Container, type ZunClient } from '@zun-ts/client';
import { h, messageOf, replace } from './dom';

export function logsPanel(zun: ZunClient, c: Container): HTMLElement {
  const pre = h('pre', { id: 'logs-output', class: 'logs' }, 'Loading…');
  const load = (): void => {
    zun.containers
      .logs(c.uuid, { stdout: true, stderr: true, tail: 500 })
      .then((text) => replace(pre, text || '(no output)'))
      .catch((err: unknown) => replace(pre, `Could not read the logs: ${messageOf(err)}`));
  };
  load();
  return h('div', { class: 'logs-panel' }, h('div', { class: 'panel-bar' }, h('button', { type: 'button', id: 'logs-reload', onclick: load }, 'Reload')), pre);
}
