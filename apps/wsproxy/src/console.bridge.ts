import WebSocket, { type RawData } from 'ws';

/** Close codes (RFC 6455 and its registry). */
export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  INTERNAL_ERROR: 1011,
  /** The upstream (the compute host's relay) failed. */
  BAD_GATEWAY: 1014,
} as const;

/** Stop reading from one side while this much is queued towards the other; read again below the low mark. */
export const HIGH_WATER = 1 << 20;
export const LOW_WATER = 256 << 10;

/** Codes an endpoint may put in a close frame (1005, 1006 and 1015 are only reported locally). */
export function sendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);
}

/** A close reason fits in a control frame (123 bytes of UTF-8). */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

/** Outcome of one bridged session. */
export interface BridgeResult {
  /** Bytes from the client to the container, and back. */
  bytesIn: number;
  bytesOut: number;
  /** Who ended it: the client, the relay (normally or not). */
  endedBy: 'client' | 'relay';
  /** The close code the client was given (or gave). */
  code: number;
}

/**
 * Moves messages from `from` to `to` as they come, keeping their boundaries and type; stops reading `from`
 * while more than {@link HIGH_WATER} bytes wait to be written to `to` (a slow terminal, a slow relay), and
 * reads again once the queue is below {@link LOW_WATER}.
 */
export function pump(from: WebSocket, to: WebSocket, count: (n: number) => void): void {
  let paused = false;
  const drained = (): void => {
    if (paused && to.bufferedAmount < LOW_WATER) {
      paused = false;
      from.resume();
    }
  };
  from.on('message', (data: RawData, isBinary: boolean) => {
    if (to.readyState !== WebSocket.OPEN) return;
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    count(buf.length);
    to.send(buf, { binary: isBinary }, drained);
    if (!paused && to.bufferedAmount > HIGH_WATER) {
      paused = true;
      from.pause();
    }
  });
}

/**
 * Relays a client's console to the compute host's relay (given paused) until either side closes, then closes the other:
 * a normal end of the session is passed on as it came; a relay that vanished (its host died, the network
 * broke) closes the client with 1014 and a reason it can show. `onBytes` hears of every frame relayed, as it goes.
 */
export function bridge(client: WebSocket, relay: WebSocket, onBytes?: (direction: 'to_container' | 'to_client', n: number) => void): Promise<BridgeResult> {
  return new Promise((resolve) => {
    let bytesIn = 0;
    let bytesOut = 0;
    let endedBy: BridgeResult['endedBy'] | null = null;
    let code = 0;
    let pending = 2;
    const done = (): void => {
      if (--pending === 0) resolve({ bytesIn, bytesOut, endedBy: endedBy ?? 'client', code });
    };
    pump(client, relay, (n) => {
      bytesIn += n;
      onBytes?.('to_container', n);
    });
    pump(relay, client, (n) => {
      bytesOut += n;
      onBytes?.('to_client', n);
    });
    // The relay's leg is handed over paused (see RelayConnector): read it now that its messages have a taker.
    relay.resume();
    // Errors are followed by 'close'; listening keeps them from being thrown.
    client.on('error', () => undefined);
    relay.on('error', () => undefined);

    client.once('close', (c: number) => {
      if (endedBy === null) {
        endedBy = 'client';
        code = c;
        if (relay.readyState === WebSocket.OPEN) relay.close(CLOSE.NORMAL, 'The client left.');
        // A relay that does not answer the close is cut off.
        const t = setTimeout(() => relay.terminate(), 2000);
        relay.once('close', () => clearTimeout(t));
        if (relay.readyState === WebSocket.CLOSED) clearTimeout(t);
      }
      done();
    });
    relay.once('close', (c: number, reason: Buffer) => {
      if (endedBy === null) {
        endedBy = 'relay';
        if (sendableCloseCode(c)) {
          code = c;
          if (client.readyState === WebSocket.OPEN) client.close(c, closeReason(reason.toString('utf8')));
        } else {
          // 1006: the connection dropped without a close frame.
          code = CLOSE.BAD_GATEWAY;
          if (client.readyState === WebSocket.OPEN) client.close(code, "The console relay of the container's host went away.");
        }
        const t = setTimeout(() => client.terminate(), 2000);
        client.once('close', () => clearTimeout(t));
        if (client.readyState === WebSocket.CLOSED) clearTimeout(t);
      }
      done();
    });
  });
}
