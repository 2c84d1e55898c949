import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import { type AddressInfo, isIPv6, type Socket } from 'node:net';
import {
  adminContext, CONSOLE_RELAY_REASON_HEADER, CONSOLE_RELAY_TOKEN_HEADER, type Logger, newRequestId, splice, type Splice, switchingProtocols, WS_CLOSE, ZunError,
} from '@zun-ts/common';
import { type ConsoleStream, type ConsoleStreams, type EngineWebSocket, isEngineWebSocket } from '@zun-ts/compute-driver';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type ConsoleGrant, type ConsoleGrants, type ConsoleKind } from './console-grants';

/** Pause reading from the engine while this much is queued towards zun-wsproxy; resume below the low mark. */
const HIGH_WATER = 1 << 20;
const LOW_WATER = 256 << 10;
/** The close reason of a session whose process ended its output. */
const SESSION_ENDED = 'The console session ended.';

/** Options of {@link ConsoleRelay}. */
export interface ConsoleRelayOptions {
  /** `[compute] relay_host`. */
  host: string;
  /** `[compute] relay_port` (0: any free port). */
  port: number;
  /** Host name published when listening on a wildcard address (`[DEFAULT] host`). */
  publicHost: string;
  logger: Logger;
}

/** A header value safe to send: printable ASCII on one line, bounded. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ').slice(0, 200);
}

function refuse(socket: Socket, status: number, reason: string): void {
  if (socket.destroyed) return;
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `${CONSOLE_RELAY_REASON_HEADER}: ${headerSafe(reason)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** HTTP status of a refused session from the engine's error (4xx kept, anything else is a bad gateway). */
function statusOf(err: unknown): number {
  if (err instanceof ZunError && err.status >= 400 && err.status < 500) return err.status;
  if (err instanceof ZunError && err.status === 503) return 503;
  return 502;
}

/**
 * The compute host's console relay: an authenticated WebSocket endpoint that bridges exactly one Docker
 * attach or exec per connection, so the engine's API is never exposed on the network. zun-wsproxy opens
 * `ws://<relay>/attach/<container uuid>` or `ws://<relay>/exec/<exec id>` presenting the token this host
 * minted for that session; everything is checked before the engine is touched, and a refusal is a plain
 * HTTP answer with the reason in a header. Accepted sessions carry raw bytes as binary frames both ways,
 * with backpressure in both directions. An attach the engine answers with its own WebSocket console
 * ({@link EngineWebSocket}) is spliced onto it: the frames go on as they came, the engine's text frames as binary
 * frames, so nothing is parsed, demultiplexed or framed again here. Execs (the engine has no WebSocket exec)
 * are bridged frame by frame.
 */
export class ConsoleRelay {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<WebSocket>();
  private readonly spliced = new Set<Splice>();
  private url: string | null = null;

  constructor(
    private readonly streams: ConsoleStreams,
    private readonly grants: ConsoleGrants,
    private readonly opts: ConsoleRelayOptions,
  ) {
    this.server = createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('console relay: WebSocket sessions only\n');
    });
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 << 20 });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => void this.onUpgrade(req, socket, head));
  }

  /** Starts listening; resolves with the published base URL (`ws://host:port/`). */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        const port = (this.server.address() as AddressInfo).port;
        const wildcard = ['0.0.0.0', '::', ''].includes(this.opts.host);
        const host = wildcard ? this.opts.publicHost : this.opts.host;
        this.url = `ws://${isIPv6(host) ? `[${host}]` : host}:${port}/`;
        this.opts.logger.info('console relay listening', { url: this.url });
        resolve(this.url);
      });
    });
  }

  /** The published base URL; throws before {@link listen}. */
  get baseUrl(): string {
    if (!this.url) throw new Error('the console relay is not listening');
    return this.url;
  }

  /** Where zun-wsproxy reaches one session (recorded as `websocket_url` or the exec's `url`). */
  sessionUrl(kind: ConsoleKind, target: string): string {
    return `${this.baseUrl}${kind}/${encodeURIComponent(target)}`;
  }

  /** Sessions open now. */
  get openSessions(): number {
    return this.sessions.size + this.spliced.size;
  }

  /** Stops listening and ends every open session (the container processes keep running). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const ws of this.sessions) ws.close(WS_CLOSE.GOING_AWAY, 'zun-compute is shutting down');
    for (const s of this.spliced) s.goingAway('zun-compute is shutting down');
    const deadline = setTimeout(() => {
      for (const ws of this.sessions) ws.terminate();
    }, 2000);
    this.server.closeAllConnections();
    await closed;
    clearTimeout(deadline);
    for (const ws of this.sessions) ws.terminate();
  }

  private async onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', (err) => this.opts.logger.debug('relay socket error', { error: err.message }));
    const requestId = String(req.headers['x-openstack-request-id'] ?? '') || newRequestId();
    const log = this.opts.logger.child({ requestId });
    const m = /^\/(attach|exec)\/([A-Za-z0-9-]{1,128})$/.exec(new URL(req.url ?? '/', 'http://relay').pathname);
    if (!m) return refuse(socket, 404, 'No such console session.');
    const kind = m[1] as ConsoleKind;
    const target = m[2] as string;
    // zun-wsproxy never sends an Origin; a browser always does. Consoles are opened through the proxy only.
    if (req.headers.origin !== undefined) return refuse(socket, 403, 'Consoles are opened through zun-wsproxy.');
    const token = req.headers[CONSOLE_RELAY_TOKEN_HEADER];
    if (typeof token !== 'string' || !token) return refuse(socket, 401, 'A console token is required.');
    const admission = this.grants.admit(kind, target, token);
    if (!admission.ok) {
      log.info('console session refused', { kind, target, refusal: admission.refusal });
      return refuse(socket, 403, admission.reason);
    }
    let stream: ConsoleStream | EngineWebSocket;
    try {
      const ctx = adminContext(requestId);
      stream = kind === 'attach' ? await this.streams.attach(ctx, target) : await this.streams.exec(ctx, target);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log.warn('console session could not be opened', { kind, target, error: reason });
      return refuse(socket, statusOf(err), reason);
    }
    if (isEngineWebSocket(stream)) {
      if (socket.destroyed) return void stream.socket.destroy();
      return this.spliceEngine(req, socket, head, stream, admission.grant, log);
    }
    const bytes = stream;
    if (socket.destroyed) return bytes.close();
    this.wss.handleUpgrade(req, socket, head, (ws) => this.bridge(ws, bytes, admission.grant, log));
  }

  /** An attach onto the engine's own WebSocket: zun-wsproxy's handshake is answered here, then both are spliced. */
  private spliceEngine(req: IncomingMessage, socket: Socket, head: Buffer, engine: EngineWebSocket, grant: ConsoleGrant, log: Logger): void {
    socket.write(switchingProtocols(req.headers));
    const session = splice(socket, head, engine, {
      backGone: { code: WS_CLOSE.INTERNAL_ERROR, reason: 'The container engine ended the console session.' },
      backTextAsBinary: true,
      backCloseReason: SESSION_ENDED,
    });
    this.spliced.add(session);
    const started = Date.now();
    log.info('console session opened', { kind: grant.kind, target: grant.target, containerUuid: grant.containerUuid, open: this.openSessions, spliced: true });
    void session.result.then((r) => {
      this.spliced.delete(session);
      log.info('console session closed', {
        kind: grant.kind,
        target: grant.target,
        containerUuid: grant.containerUuid,
        code: r.code,
        bytesIn: r.bytesIn,
        bytesOut: r.bytesOut,
        seconds: Math.round((Date.now() - started) / 1000),
        open: this.openSessions,
      });
    });
  }

  private bridge(ws: WebSocket, stream: ConsoleStream, grant: ConsoleGrant, log: Logger): void {
    this.sessions.add(ws);
    const started = Date.now();
    let bytesIn = 0;
    let bytesOut = 0;
    let paused = false;
    log.info('console session opened', { kind: grant.kind, target: grant.target, containerUuid: grant.containerUuid, open: this.sessions.size });

    const { input, output } = stream;
    const resumeIfDrained = (): void => {
      if (paused && ws.bufferedAmount < LOW_WATER) {
        paused = false;
        output.resume();
      }
    };
    // The engine's chunks of one turn of the event loop leave as one frame: a burst of output (a paste echoed, a
    // file shown) costs every hop to the client one frame and one write instead of one per chunk.
    let queued: Buffer[] = [];
    const flush = (): void => {
      const chunks = queued;
      queued = [];
      if (!chunks.length || ws.readyState !== ws.OPEN) return;
      ws.send(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), { binary: true }, resumeIfDrained);
      if (!paused && ws.bufferedAmount > HIGH_WATER) {
        paused = true;
        output.pause();
      }
    };
    output.on('data', (chunk: Buffer) => {
      bytesOut += chunk.length;
      if (ws.readyState !== ws.OPEN) return;
      if (queued.push(chunk) === 1) setImmediate(flush);
    });
    // The process ended its output (exited, or the engine closed the stream): the session is over, after what it wrote.
    output.once('end', () => {
      flush();
      ws.close(WS_CLOSE.NORMAL, SESSION_ENDED);
    });
    const onStreamError = (err: Error): void => {
      log.warn('console stream failed', { error: err.message });
      ws.close(WS_CLOSE.INTERNAL_ERROR, headerSafe(`Console stream failed: ${err.message}`).slice(0, 120));
    };
    output.on('error', onStreamError);
    if ((input as unknown) !== output) input.on('error', onStreamError);
    input.once('close', () => {
      if (ws.readyState === ws.OPEN) ws.close(WS_CLOSE.NORMAL, SESSION_ENDED);
    });

    ws.on('message', (data: RawData) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      bytesIn += buf.length;
      if (!input.writable) return;
      input.write(buf);
      // The engine socket's own mark (16 KiB) is below one terminal paste: stop reading only when much more waits.
      if (input.writableLength > HIGH_WATER && !ws.isPaused) {
        ws.pause();
        input.once('drain', () => ws.resume());
      }
    });
    ws.on('error', (err) => log.debug('relay websocket error', { error: err.message }));
    output.resume();
    ws.once('close', (code) => {
      this.sessions.delete(ws);
      stream.close();
      log.info('console session closed', {
        kind: grant.kind,
        target: grant.target,
        containerUuid: grant.containerUuid,
        code,
        bytesIn,
        bytesOut,
        seconds: Math.round((Date.now() - started) / 1000),
        open: this.sessions.size,
      });
    });
  }
}
