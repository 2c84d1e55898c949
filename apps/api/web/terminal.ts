// An interactive shell in a container: POST …/execute (interactive, run=false) gives an exec id and the
// zun-wsproxy URL with a one-time token; xterm.js shows the websocket's output and sends the keys typed.
import { Terminal } from '@xterm/xterm';
import { type Container, type ZunClient } from '@zun-ts/client';
import { h, messageOf } from './dom';

/** The terminal's size for the element's size in pixels and a character cell's size (at least 20×5). */
export function fitSize(width: number, height: number, cell: { width: number; height: number }): { cols: number; rows: number } {
  const cols = cell.width > 0 ? Math.floor(width / cell.width) : 80;
  const rows = cell.height > 0 ? Math.floor(height / cell.height) : 24;
  return { cols: Math.max(20, Math.min(cols, 500)), rows: Math.max(5, Math.min(rows, 200)) };
}

/** Text for the close code of the proxy (1008 Origin or token refused, 1011 not attachable, 1014 host unreachable). */
export function closeReason(code: number, reason: string): string {
  const known: Record<number, string> = { 1000: 'closed', 1006: 'connection lost', 1008: 'refused by the console proxy', 1011: 'the container cannot be attached', 1014: 'the compute host cannot be reached' };
  return `[${known[code] ?? `closed (${code})`}${reason ? `: ${reason}` : ''}]`;
}

const FONT = { family: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace', size: 14 };

/** The size of one character cell of `font` in `host`, measured on a line of sample text. */
function measureCell(host: HTMLElement, font: { family: string; size: number }): { width: number; height: number } {
  const probe = document.createElement('span');
  probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font-family:${font.family};font-size:${font.size}px;line-height:normal`;
  probe.textContent = 'W'.repeat(50);
  host.append(probe);
  const r = probe.getBoundingClientRect();
  probe.remove();
  return { width: r.width / 50, height: r.height };
}

export interface TerminalPanel {
  element: HTMLElement;
  /** Closes the websocket and disposes of the terminal. */
  close(): void;
}

export function terminalPanel(zun: ZunClient, c: Container, command = '/bin/sh'): TerminalPanel {
  const host = h('div', { id: 'terminal', class: 'terminal' });
  const status = h('span', { id: 'terminal-status', class: 'muted' }, 'Connecting…');
  const element = h('div', { class: 'terminal-panel' }, h('div', { class: 'panel-bar' }, status), host);
  const term = new Terminal({ cursorBlink: true, fontFamily: FONT.family, fontSize: FONT.size, scrollback: 2000 });
  let ws: WebSocket | null = null;
  let closed = false;
  let execId = '';
  const encoder = new TextEncoder();

  // Opened once the panel is in the page (xterm measures its element).
  requestAnimationFrame(() => {
    if (closed) return;
    term.open(host);
    const size = fitSize(host.clientWidth - 8, host.clientHeight - 8, measureCell(host, FONT));
    term.resize(size.cols, size.rows);
    term.focus();
    zun.containers
      .execInteractive(c.uuid, command)
      .then(({ execId: id, url }) => {
        if (closed) return;
        execId = id;
        ws = new WebSocket(url);
        ws.binaryType = 'arraybuffer';
        ws.onopen = () => {
          status.textContent = `${command} in ${c.name ?? c.uuid}`;
          void zun.containers.execResize(c.uuid, execId, term.cols, term.rows).catch(() => undefined);
        };
        ws.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
          term.write(typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data));
        };
        ws.onclose = (ev) => {
          if (!closed) term.write(`\r\n${closeReason(ev.code, ev.reason)}\r\n`);
          status.textContent = 'Disconnected';
        };
        term.onData((data) => {
          if (ws?.readyState === WebSocket.OPEN) ws.send(encoder.encode(data));
        });
        term.onResize(({ cols, rows }) => {
          if (execId) void zun.containers.execResize(c.uuid, execId, cols, rows).catch(() => undefined);
        });
      })
      .catch((err: unknown) => {
        status.textContent = `Could not open a terminal: ${messageOf(err)}`;
        status.className = 'error';
      });
  });

  return {
    element,
    close: () => {
      closed = true;
      ws?.close(1000);
      term.dispose();
    },
  };
}
