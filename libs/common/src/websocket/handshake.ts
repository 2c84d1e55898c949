import { createHash, randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';

/** RFC 6455 §1.3: the GUID appended to the key before hashing. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept value that answers a Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** A fresh Sec-WebSocket-Key (16 random bytes, base64). */
export function newKey(): string {
  return randomBytes(16).toString('base64');
}

/** The headers of a client's opening handshake with `key`, offering no extension. */
export function clientHandshakeHeaders(key: string): Record<string, string> {
  return { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key };
}

/** Whether a server's 101 answers `key` and took no extension, so that its frames can be spliced unchanged. */
export function answersHandshake(key: string, headers: IncomingHttpHeaders): boolean {
  return headers['sec-websocket-accept'] === acceptKey(key) && !headers['sec-websocket-extensions'];
}

/**
 * The subprotocol answered to a client: python-zunclient offers "binary, base64" and fails the handshake unless
 * one is chosen; a client that offers neither gets none.
 */
export function chooseProtocol(offered: string | undefined): string | null {
  const names = new Set((offered ?? '').split(',').map((p) => p.trim()).filter(Boolean));
  return names.has('binary') ? 'binary' : names.has('base64') ? 'base64' : null;
}

/** Why a request is not a WebSocket handshake the proxy can answer, or null when it is one. */
export function handshakeProblem(method: string | undefined, headers: IncomingHttpHeaders): string | null {
  if (method !== 'GET') return 'A WebSocket handshake is a GET.';
  if ((headers.upgrade ?? '').toLowerCase() !== 'websocket') return 'Upgrade: websocket is required.';
  const key = headers['sec-websocket-key'];
  if (typeof key !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(key.trim())) return 'A valid Sec-WebSocket-Key is required.';
  if (headers['sec-websocket-version'] !== '13') return 'Only WebSocket version 13 is supported.';
  return null;
}

/**
 * The 101 answer to a handshake `handshakeProblem` accepted. No extension is offered back: the frames of both
 * legs are then plain RFC 6455 frames, which is what lets the proxy pass them on as they are.
 */
export function switchingProtocols(headers: IncomingHttpHeaders): string {
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(String(headers['sec-websocket-key']).trim())}`,
  ];
  const protocol = chooseProtocol(headers['sec-websocket-protocol']);
  if (protocol) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
