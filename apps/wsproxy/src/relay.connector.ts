import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type Socket } from 'node:net';
import { injectable } from 'inversify';
import { answersHandshake, clientHandshakeHeaders, CONSOLE_RELAY_REASON_HEADER, CONSOLE_RELAY_TOKEN_HEADER, newKey, type WebSocketLeg } from '@zun-ts/common';

/** A compute host's relay refused or could not be reached; `status` is the HTTP status (null: no answer). */
export class RelayRefused extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }
}

/** The proxy's open leg to a relay: its socket past the handshake, and the bytes that came with the answer. */
export type RelayLeg = WebSocketLeg;

/** Opens the proxy's leg to a compute host's console relay. */
export interface RelayConnector {
  /**
   * Resolves once the session is open (the engine attached). Nothing is read from the socket yet: the engine's
   * first bytes (a prompt) wait, in `head` and in the socket, until the proxy is ready to pass them on.
   * Rejects with {@link RelayRefused}.
   */
  connect(url: string, token: string, requestId: string): Promise<RelayLeg>;
}

/** How long a relay may take to accept (it attaches to the engine before it answers). */
const RELAY_HANDSHAKE_MS = 10_000;

/**
 * {@link RelayConnector} with node's HTTP client: the token travels in a header, and no extension is offered
 * (so the relay's frames are plain RFC 6455 frames the proxy can pass on to its client unchanged).
 */
@injectable()
export class WsRelayConnector implements RelayConnector {
  connect(url: string, token: string, requestId: string): Promise<RelayLeg> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      if (target.protocol !== 'ws:' && target.protocol !== 'wss:') return reject(new RelayRefused(null, `not a WebSocket URL: ${url}`));
      const key = newKey();
      const send = target.protocol === 'wss:' ? httpsRequest : httpRequest;
      target.protocol = target.protocol === 'wss:' ? 'https:' : 'http:';
      let settled = false;
      const fail = (err: RelayRefused): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(err);
      };
      const req: ClientRequest = send(target, {
        headers: {
          ...clientHandshakeHeaders(key),
          [CONSOLE_RELAY_TOKEN_HEADER]: token,
          'x-openstack-request-id': requestId,
        },
      });
      const timer = setTimeout(() => fail(new RelayRefused(null, 'Opening the console relay timed out.')), RELAY_HANDSHAKE_MS);
      req.once('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
        if (settled) return void socket.destroy();
        if (!answersHandshake(key, res.headers)) {
          socket.destroy();
          return fail(new RelayRefused(502, 'the console relay answered the handshake wrongly'));
        }
        settled = true;
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve({ socket, head });
      });
      req.once('response', (res: IncomingMessage) => {
        const reason = res.headers[CONSOLE_RELAY_REASON_HEADER];
        const text = typeof reason === 'string' && reason ? reason : `console relay answered ${res.statusCode}`;
        res.resume();
        fail(new RelayRefused(res.statusCode ?? 502, text));
      });
      req.on('error', (err) => fail(new RelayRefused(null, err.message)));
      req.end();
    });
  }
}
