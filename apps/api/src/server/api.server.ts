import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { type Logger } from '@zun-ts/common';
import { errorBody } from '../http/error-body';
import { reasonPhrase } from '../http/http-error';
import { measureRequest } from '../http/request-metrics';

/**
 * The HTTP server of one API process. `stop` stops accepting connections, lets the
 * requests in flight finish (their connections close afterwards) and, past the bound,
 * cuts whatever is left.
 */
export class ApiServer {
  private readonly server: Server;
  private readonly inflight = new Set<ServerResponse>();
  private stopping = false;

  constructor(
    handler: RequestListener,
    private readonly logger: Logger,
  ) {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      measureRequest(req, res);
      this.inflight.add(res);
      res.on('close', () => this.inflight.delete(res));
      if (this.stopping) res.setHeader('Connection', 'close');
      handler(req, res);
    });
    this.server.on('clientError', (err: Error & { code?: string }, socket: Socket) => this.refuseMalformed(err, socket));
    // An Expect other than 100-continue: Node would answer a bare 417 itself.
    this.server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
      const text = JSON.stringify(errorBody(417, 'container.', reasonPhrase(417), 'Only "Expect: 100-continue" is supported.'));
      res.writeHead(417, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' }).end(text);
    });
    // Node hands CONNECT to this event (without a listener it drops the connection unanswered): not a method of the API.
    this.server.on('connect', (_req: IncomingMessage, socket: Socket) => {
      this.refuse(socket, 405, 'The method CONNECT is not allowed for this resource.');
    });
  }

  /**
   * A request Node's HTTP parser refused before any handler saw it (bytes that are not HTTP, a bad or
   * conflicting Content-Length, Content-Length with chunked encoding, a request line or headers over the
   * size limit, non-ASCII bytes in the target): answered in Zun's error format, then the connection is closed.
   */
  private refuseMalformed(err: Error & { code?: string }, socket: Socket): void {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // Bytes after a complete request (a Content-Length shorter than the body): that request is being handled,
    // and its answer is the one the client must get. The rest is dropped with the connection. (A request still
    // waiting for its body, cut short, gets the 400 below: its handler would wait for bytes that never come.)
    const answering = [...this.inflight].find((res) => res.socket === socket && res.req.complete);
    if (answering) {
      if (!answering.headersSent) answering.setHeader('Connection', 'close');
      answering.once('close', () => socket.destroy());
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    this.logger.debug('malformed HTTP request refused', { code: err.code, status });
    const detail = status === 431 ? 'The request line or headers are too large.' : status === 408 ? 'The request took too long to arrive.' : 'The request is not valid HTTP.';
    this.refuse(socket, status, detail);
  }

  /** Writes a Zun error answer straight to the connection and closes it. */
  private refuse(socket: Socket, status: number, detail: string): void {
    const text = JSON.stringify(errorBody(status, 'container.', reasonPhrase(status), detail));
    socket.end(
      `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address() as AddressInfo;
        this.logger.info('listening', { host: addr.address, port: addr.port });
        resolve(addr);
      });
    });
  }

  /** Resolves once every connection is gone (at most `timeoutMs` later). */
  stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    for (const res of this.inflight) if (!res.headersSent) res.setHeader('Connection', 'close');
    this.logger.info('stopping the API server', { inflight: this.inflight.size, timeoutMs });
    return new Promise((resolve) => {
      // Keep-alive connections that go idle after their last answer are closed as they appear.
      const sweep = setInterval(() => this.server.closeIdleConnections(), 100);
      const deadline = setTimeout(() => {
        this.logger.warn('requests still running at the stop deadline; closing their connections', { inflight: this.inflight.size });
        this.server.closeAllConnections();
      }, timeoutMs);
      this.server.close(() => {
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }
}
