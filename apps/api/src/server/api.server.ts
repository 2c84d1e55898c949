import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Logger } from '@zun-ts/common';

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
      this.inflight.add(res);
      res.on('close', () => this.inflight.delete(res));
      if (this.stopping) res.setHeader('Connection', 'close');
      handler(req, res);
    });
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
