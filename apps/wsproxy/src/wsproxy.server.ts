import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Socket } from 'node:net';
import { inject, injectable } from 'inversify';
import { WebSocketServer, type WebSocket } from 'ws';
import { type Logger } from '@zun-ts/common';
import { type WebsocketProxyConf } from '@zun-ts/config';
import { CONSOLE_ACCESS, type ConsoleAccess } from './console-access';
import { originProblem } from './origin.check';
import { LOGGER, WSPROXY_CONF } from './tokens';

/** Close codes (RFC 6455). */
const POLICY_VIOLATION = 1008;
const INTERNAL_ERROR = 1011;
const GOING_AWAY = 1001;

/**
 * The console proxy's listener: answers plain HTTP with Zun's 404 error body and
 * accepts WebSocket upgrades only to check their token, origin and query; relaying
 * to the container (attach/exec) is not implemented yet, so every console is closed
 * with a reason the client can show.
 */
@injectable()
export class WsProxyServer {
  private readonly server: Server;
  private readonly wss: WebSocketServer;

  constructor(
    @inject(WSPROXY_CONF) private readonly conf: WebsocketProxyConf,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(CONSOLE_ACCESS) private readonly access: ConsoleAccess,
  ) {
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => this.onHttpRequest(req, res);
    this.server = conf.cert && conf.key
      ? createHttpsServer({ cert: readFileSync(conf.cert), key: readFileSync(conf.key) }, onRequest)
      : createHttpServer(onRequest);
    // python-zunclient offers "binary, base64" and fails the handshake unless one is chosen.
    this.wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (offered) => (offered.has('binary') ? 'binary' : offered.has('base64') ? 'base64' : false),
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => void this.onConsole(ws, req));
    });
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

  /** Stop accepting, tell open consoles the proxy is going away, close idle connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const ws of this.wss.clients) ws.close(GOING_AWAY, 'zun-wsproxy is shutting down');
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

  private async onConsole(ws: WebSocket, req: IncomingMessage): Promise<void> {
    const refuse = (code: number, reason: string): void => {
      this.logger.info('console refused', { reason, remote: req.socket.remoteAddress });
      ws.close(code, reason);
    };
    const problem = originProblem(req.headers, this.conf.base_url, this.conf.allowed_origins);
    if (problem) return refuse(POLICY_VIOLATION, problem);
    const query = new URL(req.url ?? '/', 'http://wsproxy').searchParams;
    const token = query.get('token');
    const uuid = query.get('uuid');
    if (!token) return refuse(POLICY_VIOLATION, 'Invalid token: a token is required.');
    if (!uuid) return refuse(POLICY_VIOLATION, 'A container uuid is required.');
    try {
      const decision = await this.access.authorize({ token, uuid, execId: query.get('exec_id') });
      if (!decision.ok) return refuse(POLICY_VIOLATION, decision.reason);
      refuse(INTERNAL_ERROR, 'Console relay is not available yet.');
    } catch (err) {
      this.logger.error('console authorization failed', { error: err instanceof Error ? err.message : String(err) });
      ws.close(INTERNAL_ERROR, 'Console authorization failed.');
    }
  }
}
