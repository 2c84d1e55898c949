import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Socket } from 'node:net';
import { inject, injectable } from 'inversify';
import { WebSocketServer } from 'ws';
import { chooseProtocol, closeReason, handshakeProblem, LOGGER, type Logger, newRequestId, splice, type Splice, switchingProtocols, WS_CLOSE } from '@zun-ts/common';
import { type WebsocketProxyConf } from '@zun-ts/config';
import { consoleMetrics } from '@zun-ts/metrics';
import { CONSOLE_ACCESS, type ConsoleAccess, type ConsoleTarget } from './console-access';
import { originProblem } from './origin.check';
import { type RelayConnector, type RelayLeg, RelayRefused } from './relay.connector';
import { RELAY_CONNECTOR, WSPROXY_CONF } from './tokens';

/** Bound on everything before the client's handshake is answered (lookup, relay, engine attach). */
const OPEN_DEADLINE_MS = 15_000;

/** How a console ends before it is relayed: the handshake completes, then the socket is closed with this. */
interface Refusal {
  code: number;
  reason: string;
}

/** Opening a console took longer than {@link OPEN_DEADLINE_MS}. */
class OpenTimeout extends Error {}

/** `p`, or an {@link OpenTimeout} at `end` (epoch ms); a value that arrives too late goes to `discard`. */
function within<T>(p: Promise<T>, end: number, discard?: (late: T) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new OpenTimeout('Opening the console took too long.'));
    }, Math.max(0, end - Date.now()));
    p.then(
      (v) => {
        if (settled) return discard?.(v);
        settled = true;
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** A request that is no WebSocket handshake is answered 400, as any WebSocket server would. */
function badHandshake(socket: Socket, problem: string, log: Logger): void {
  log.info('not a WebSocket handshake', { problem });
  const body = JSON.stringify({ error: problem });
  socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** The close code and reason a client gets when the relay refused or could not be reached. */
export function refusalOfRelay(err: RelayRefused): Refusal {
  const s = err.status;
  if (s === 401 || s === 403) return { code: WS_CLOSE.POLICY_VIOLATION, reason: err.message };
  if (s !== null && s >= 400 && s < 500) return { code: WS_CLOSE.INTERNAL_ERROR, reason: err.message };
  if (s === null) return { code: WS_CLOSE.BAD_GATEWAY, reason: "The console relay of the container's host cannot be reached." };
  return { code: WS_CLOSE.BAD_GATEWAY, reason: `The console relay of the container's host failed: ${err.message}` };
}

/**
 * zun-wsproxy: the public end of `zun attach` and `zun exec --interactive`. For each WebSocket it reads
 * `?token&uuid[&exec_id]`, checks the Origin, has the conductor confirm the token (constant-time) and name
 * the compute host's relay of that session, opens the relay (which attaches to the engine), and only then
 * answers the client's handshake — so a client that resizes right after connecting finds its session
 * running. Refusals complete the handshake and close with a code and reason: 1008 for a bad token or
 * origin, 1011 when the container cannot be attached, 1014 when its host's relay cannot be reached or dies.
 * Past the handshake the two connections are spliced: frames go on unchanged both ways with backpressure (see
 * `splice`); either side closing closes the other.
 */
@injectable()
export class WsProxyServer {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Splice>();
  private closing = false;

  constructor(
    @inject(WSPROXY_CONF) private readonly conf: WebsocketProxyConf,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(CONSOLE_ACCESS) private readonly access: ConsoleAccess,
    @inject(RELAY_CONNECTOR) private readonly relay: RelayConnector,
  ) {
    consoleMetrics(); // zero from the start: a scrape shows 0 sessions before the first one
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => this.onHttpRequest(req, res);
    this.server = conf.cert && conf.key
      ? createHttpsServer({ cert: readFileSync(conf.cert), key: readFileSync(conf.key) }, onRequest)
      : createHttpServer(onRequest);
    // Refusals only (a console's own handshake is answered by switchingProtocols); the same subprotocol choice.
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: 16 << 20,
      handleProtocols: (offered) => chooseProtocol([...offered].join(',')) ?? false,
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => void this.onUpgrade(req, socket, head));
  }

  /** Listen on `[websocket_proxy] wsproxy_host:wsproxy_port`. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.conf.wsproxy_port, this.conf.wsproxy_host, () => {
        this.server.off('error', reject);
        const addr = this.server.address() as AddressInfo;
        this.logger.info('websocket proxy listening', { address: addr.address, port: addr.port, tls: Boolean(this.conf.cert && this.conf.key) });
        resolve(addr);
      });
    });
  }

  /** Consoles being relayed now. */
  get openSessions(): number {
    return this.sessions.size;
  }

  /** Stop accepting, tell open consoles the proxy is going away, close idle connections. */
  async close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const ws of this.wss.clients) ws.close(WS_CLOSE.GOING_AWAY, 'zun-wsproxy is shutting down');
    for (const s of this.sessions) s.goingAway('zun-wsproxy is shutting down');
    this.server.closeIdleConnections();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await closed;
  }

  private onHttpRequest(req: IncomingMessage, res: ServerResponse): void {
    const body = JSON.stringify({
      errors: [{ request_id: '', code: 'container.', status: 404, title: 'Not Found', detail: 'The resource could not be found.', links: [] }],
    });
    res.writeHead(404, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    this.logger.debug('plain http request refused', { method: req.method, url: req.url });
  }

  /** Answers the handshake, then closes the console with the refusal. */
  private refuse(req: IncomingMessage, socket: Socket, head: Buffer, refusal: Refusal, log: Logger): void {
    log.info('console refused', { reason: refusal.reason, code: refusal.code, remote: req.socket.remoteAddress });
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.close(refusal.code, closeReason(refusal.reason));
    });
  }

  private async onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const requestId = newRequestId();
    const log = this.logger.child({ requestId });
    // The client may go while the session is being looked up: never let its socket's error go unheard.
    socket.on('error', (err) => log.debug('client socket error', { error: err.message }));
    const bad = handshakeProblem(req.method, req.headers);
    if (bad) return badHandshake(socket, bad, log);
    if (this.closing) return this.refuse(req, socket, head, { code: WS_CLOSE.GOING_AWAY, reason: 'zun-wsproxy is shutting down' }, log);

    const problem = originProblem(req.headers, this.conf.base_url, this.conf.allowed_origins);
    if (problem) return this.refuse(req, socket, head, { code: WS_CLOSE.POLICY_VIOLATION, reason: problem }, log);
    const query = new URL(req.url ?? '/', 'http://wsproxy').searchParams;
    const token = query.get('token');
    const uuid = query.get('uuid');
    const execId = query.get('exec_id') || null;
    if (!token) return this.refuse(req, socket, head, { code: WS_CLOSE.POLICY_VIOLATION, reason: 'Invalid token: a token is required.' }, log);
    if (!uuid) return this.refuse(req, socket, head, { code: WS_CLOSE.POLICY_VIOLATION, reason: 'A container uuid is required.' }, log);

    let target: ConsoleTarget;
    let relay: RelayLeg;
    const end = Date.now() + OPEN_DEADLINE_MS;
    try {
      const decision = await within(this.access.authorize({ token, uuid, execId, requestId }), end);
      if (!decision.ok) return this.refuse(req, socket, head, { code: WS_CLOSE.POLICY_VIOLATION, reason: decision.reason }, log);
      target = decision.target;
      relay = await within(this.relay.connect(target.relayUrl, target.token, requestId), end, (late) => late.socket.destroy());
    } catch (err) {
      if (err instanceof RelayRefused) return this.refuse(req, socket, head, refusalOfRelay(err), log);
      const timedOut = err instanceof OpenTimeout;
      log.error('console could not be opened', { error: err instanceof Error ? err.message : String(err) });
      return this.refuse(req, socket, head, { code: WS_CLOSE.INTERNAL_ERROR, reason: timedOut ? err.message : 'Console authorization failed.' }, log);
    }
    if (socket.destroyed || this.closing) {
      log.info('client left before its console was open');
      relay.socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    socket.write(switchingProtocols(req.headers));
    void this.relayConsole(socket, head, relay, target, execId, log);
  }

  private async relayConsole(client: Socket, head: Buffer, relay: RelayLeg, target: ConsoleTarget, execId: string | null, log: Logger): Promise<void> {
    const started = Date.now();
    const m = consoleMetrics();
    m.opened.inc();
    m.open.inc();
    const session = splice(client, head, relay, {
      onBytes: (direction, n) => m.bytes.inc({ direction }, n),
      backGone: { code: WS_CLOSE.BAD_GATEWAY, reason: "The console relay of the container's host went away." },
    });
    this.sessions.add(session);
    log.info('console opened', { containerUuid: target.containerUuid, execId, open: this.sessions.size });
    const r = await session.result;
    this.sessions.delete(session);
    m.open.dec();
    log.info('console closed', {
      containerUuid: target.containerUuid,
      execId,
      endedBy: r.endedBy === 'front' ? 'client' : 'relay',
      code: r.code,
      bytesIn: r.bytesIn,
      bytesOut: r.bytesOut,
      seconds: Math.round((Date.now() - started) / 1000),
      open: this.sessions.size,
    });
  }
}
