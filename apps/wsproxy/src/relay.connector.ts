import { injectable } from 'inversify';
import WebSocket from 'ws';
import { CONSOLE_RELAY_REASON_HEADER, CONSOLE_RELAY_TOKEN_HEADER } from '@zun-ts/common';

/** A compute host's relay refused or could not be reached; `status` is the HTTP status (null: no answer). */
export class RelayRefused extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }
}

/** Opens the proxy's leg to a compute host's console relay. */
export interface RelayConnector {
  /**
   * Resolves once the session is open (the engine attached), with the socket paused: the engine's first
   * bytes (a prompt) wait until the bridge is ready to take them. Rejects with {@link RelayRefused}.
   */
  connect(url: string, token: string, requestId: string): Promise<WebSocket>;
}

/** How long a relay may take to accept (it attaches to the engine before it answers). */
const RELAY_HANDSHAKE_MS = 10_000;

/** {@link RelayConnector} with `ws`: the token travels in a header, compression is off (terminal bytes are small). */
@injectable()
export class WsRelayConnector implements RelayConnector {
  connect(url: string, token: string, requestId: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err: RelayRefused | null): void => {
        if (settled) return;
        settled = true;
        if (err) {
          ws.terminate();
          reject(err);
        } else resolve(ws);
      };
      const ws = new WebSocket(url, {
        headers: { [CONSOLE_RELAY_TOKEN_HEADER]: token, 'x-openstack-request-id': requestId },
        perMessageDeflate: false,
        // Masking guards browsers' traffic against caching intermediaries; this leg is service to service, and
        // an all-zero mask lets both ends skip the XOR pass over every byte.
        generateMask: (mask: Buffer) => void mask.fill(0),
        handshakeTimeout: RELAY_HANDSHAKE_MS,
        followRedirects: false,
        maxPayload: 16 << 20,
      });
      ws.once('open', () => {
        // Synchronously, before the first frame (it may have come with the handshake) is read.
        ws.pause();
        settle(null);
      });
      ws.once('unexpected-response', (req, res) => {
        const reason = res.headers[CONSOLE_RELAY_REASON_HEADER];
        const text = typeof reason === 'string' && reason ? reason : `console relay answered ${res.statusCode}`;
        res.resume();
        req.destroy();
        settle(new RelayRefused(res.statusCode ?? 502, text));
      });
      ws.on('error', (err) => settle(new RelayRefused(null, err.message)));
    });
  }
}
