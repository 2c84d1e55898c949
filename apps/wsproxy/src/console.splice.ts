import { type Socket } from 'node:net';
import { CLOSE, closeReason, HIGH_WATER } from './close-codes';
import { closeFrame, FrameTracker } from './frame-tracker';
import { type RelayLeg } from './relay.connector';

/** Outcome of one relayed session. */
export interface BridgeResult {
  /** Payload bytes from the client to the container, and back. */
  bytesIn: number;
  bytesOut: number;
  /** Who ended it: the side whose close frame came first, or whose connection went first. */
  endedBy: 'client' | 'relay';
  /** The close code the session ended with (1006: the client went without a close frame). */
  code: number;
}

/** A session being relayed. */
export interface Splice {
  readonly result: Promise<BridgeResult>;
  /** Closes both sides with 1001 and `reason`, each between two frames. */
  goingAway(reason: string): void;
}

/** How long a side that was told to close may take to close its connection before it is cut off. */
const CLOSE_GRACE_MS = 2000;

/**
 * One direction of a session: bytes go on as they came, in order, with backpressure; a tracker knows where the
 * frames end, so a close frame of the proxy's own can be put in between two of them (after which this direction
 * carries nothing more).
 */
class Direction {
  readonly frames = new FrameTracker();
  private pending: Buffer | null = null;
  private stopped = false;
  private waitingDrain = false;
  private corked = false;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly count: (n: number) => void,
  ) {}

  forward(chunk: Buffer): void {
    if (this.stopped) return;
    const before = this.frames.payloadBytes;
    const end = this.frames.feed(chunk);
    if (this.pending && end >= 0) {
      this.write(chunk.subarray(0, end));
      this.sendPending();
    } else this.write(chunk);
    this.count(this.frames.payloadBytes - before);
  }

  /** Puts `frame` in at the next end of a frame and closes this direction's destination after it. */
  insert(frame: Buffer): void {
    if (this.stopped) return;
    this.pending = frame;
    if (this.frames.atBoundary) this.sendPending();
  }

  /** The source is gone: a pending frame goes now if it can; a frame cut short cannot be ended, so the destination is cut. */
  sourceEnded(lastWords: Buffer | null): void {
    if (this.stopped) return;
    if (lastWords && !this.pending) this.pending = lastWords;
    if (this.pending && this.frames.atBoundary) return this.sendPending();
    this.stopped = true;
    if (this.frames.atBoundary) this.to.end();
    else this.to.destroy();
  }

  private sendPending(): void {
    const frame = this.pending;
    this.pending = null;
    this.stopped = true;
    if (frame && !this.to.destroyed) this.to.end(frame);
  }

  /**
   * Writes `buf` on; the writes of one turn of the event loop leave as one (a frame read in pieces goes on in one
   * write, as a WebSocket endpoint would have sent it whole).
   */
  private write(buf: Buffer): void {
    if (!buf.length || this.to.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.to.cork();
      setImmediate(() => {
        this.corked = false;
        this.to.uncork();
      });
    }
    if (this.to.write(buf) || this.waitingDrain) return;
    if (this.to.writableLength < HIGH_WATER) return;
    this.waitingDrain = true;
    this.from.pause();
    this.to.once('drain', () => {
      this.waitingDrain = false;
      this.from.resume();
    });
  }
}

/**
 * Relays a console between the client's connection (its handshake answered) and the relay's (`RelayLeg`), as a
 * byte stream: neither leg negotiated an extension, the relay's frames are unmasked as a server's must be, and
 * the client's are masked as the relay (a server) requires, so every frame goes on unchanged — nothing is
 * parsed into messages, copied, or framed again. The close handshake runs end to end. A relay that vanished
 * without a close frame closes the client with 1014 and a reason it can show; a client that vanished closes the
 * relay with 1000. `onBytes` hears of the payload bytes relayed, as they go.
 */
export function splice(client: Socket, clientHead: Buffer, relay: RelayLeg, onBytes?: (direction: 'to_container' | 'to_client', n: number) => void): Splice {
  const up = new Direction(client, relay.socket, (n) => n && onBytes?.('to_container', n));
  const down = new Direction(relay.socket, client, (n) => n && onBytes?.('to_client', n));
  let endedBy: BridgeResult['endedBy'] | null = null;
  let code = 0;
  const ended = (by: BridgeResult['endedBy'], c: number): void => {
    if (endedBy !== null) return;
    endedBy = by;
    code = c;
  };
  const cutOffLater = (socket: Socket): void => {
    const t = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    t.unref();
    socket.once('close', () => clearTimeout(t));
  };

  const result = new Promise<BridgeResult>((resolve) => {
    let open = 2;
    const closed = (): void => {
      if (--open > 0) return;
      resolve({ bytesIn: up.frames.payloadBytes, bytesOut: down.frames.payloadBytes, endedBy: endedBy ?? 'client', code });
    };
    client.once('close', closed);
    relay.socket.once('close', closed);
  });
  // Bytes go on as they come, often part of a frame: Nagle's algorithm would hold such a tail back for an ACK.
  client.setNoDelay(true);
  relay.socket.setNoDelay(true);
  // Errors are followed by 'close'; listening keeps them from being thrown.
  client.on('error', () => undefined);
  relay.socket.on('error', () => undefined);

  client.on('data', (chunk: Buffer) => {
    up.forward(chunk);
    if (up.frames.closed) ended('client', up.frames.closed.code);
  });
  relay.socket.on('data', (chunk: Buffer) => {
    down.forward(chunk);
    if (down.frames.closed) ended('relay', down.frames.closed.code);
  });
  // 'end' (the peer's FIN) or 'close' (reset, error), whichever comes first
  let clientLeft = false;
  let relayLeft = false;
  const clientGone = (): void => {
    if (clientLeft) return;
    clientLeft = true;
    ended('client', 1006);
    up.sourceEnded(up.frames.closed ? null : closeFrame(CLOSE.NORMAL, 'The client left.', true));
    cutOffLater(relay.socket);
  };
  const relayGone = (): void => {
    if (relayLeft) return;
    relayLeft = true;
    ended('relay', CLOSE.BAD_GATEWAY);
    down.sourceEnded(down.frames.closed ? null : closeFrame(CLOSE.BAD_GATEWAY, "The console relay of the container's host went away.", false));
    cutOffLater(client);
  };
  client.once('end', clientGone);
  client.once('close', clientGone);
  relay.socket.once('end', relayGone);
  relay.socket.once('close', relayGone);

  if (clientHead.length) client.unshift(clientHead);
  if (relay.head.length) relay.socket.unshift(relay.head);

  return {
    result,
    goingAway(reason: string): void {
      const why = closeReason(reason);
      down.insert(closeFrame(CLOSE.GOING_AWAY, why, false));
      up.insert(closeFrame(CLOSE.GOING_AWAY, why, true));
      cutOffLater(client);
      cutOffLater(relay.socket);
    },
  };
}
