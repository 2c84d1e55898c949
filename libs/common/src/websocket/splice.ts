import { type Socket } from 'node:net';
import { WS_CLOSE, closeReason, SPLICE_HIGH_WATER } from './close-codes';
import { closeFrame, FrameTracker } from './frame-tracker';

/** A WebSocket connection past its handshake, and the bytes that came with the answer. */
export interface WebSocketLeg {
  socket: Socket;
  head: Buffer;
}

/** Outcome of one spliced session. */
export interface BridgeResult {
  /** Payload bytes from the front (the client's side) to the back (the container's side), and back. */
  bytesIn: number;
  bytesOut: number;
  /** Who ended it: the side whose close frame came first, or whose connection went first. */
  endedBy: 'front' | 'back';
  /** The close code the session ended with (1006: the front went without a close frame). */
  code: number;
}

/** How a splice ends its front when the back ends. */
export interface SpliceOptions {
  /** Hears of the payload bytes relayed, as they go. */
  onBytes?: (direction: 'to_container' | 'to_client', n: number) => void;
  /** The close frame the front gets when the back's connection goes without one. */
  backGone: { code: number; reason: string };
  /** Data frames from the back go on as binary frames (one bit of their header rewritten). */
  backTextAsBinary?: boolean;
  /** A close frame from the back goes on with this reason instead of its own (same code). */
  backCloseReason?: string;
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
  private pending: Buffer | null = null;
  private stopped = false;
  private waitingDrain = false;
  private corked = false;

  readonly frames: FrameTracker;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly count: (n: number) => void,
    opts: { textAsBinary?: boolean; closeReason?: string } = {},
  ) {
    this.frames = new FrameTracker(opts.textAsBinary);
    this.closeReason = opts.closeReason;
  }

  private readonly closeReason: string | undefined;

  forward(chunk: Buffer): void {
    if (this.stopped) return;
    const before = this.frames.payloadBytes;
    const end = this.frames.feed(chunk);
    const closeAt = this.frames.closeStart;
    // The source's close frame, whole in this chunk, goes on with the reason of our own (nothing follows a close).
    if (this.closeReason !== undefined && closeAt >= 0 && this.frames.closed && !this.pending) {
      this.write(chunk.subarray(0, closeAt));
      this.count(this.frames.payloadBytes - before);
      this.pending = closeFrame(this.frames.closed.code, closeReason(this.closeReason), false);
      this.sendPending();
      return;
    }
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
    if (this.to.writableLength < SPLICE_HIGH_WATER) return;
    this.waitingDrain = true;
    this.from.pause();
    this.to.once('drain', () => {
      this.waitingDrain = false;
      this.from.resume();
    });
  }
}

/**
 * Relays a console between the front (the client's side: its handshake answered, its frames masked) and the back
 * (the container's side: a server's unmasked frames), as a byte stream: neither leg negotiated an extension, so
 * every frame goes on unchanged — nothing is parsed into messages, copied, or framed again (`backTextAsBinary`
 * rewrites one header bit). The close handshake runs end to end. A back that vanished without a close frame
 * closes the front with `backGone`; a front that vanished closes the back with 1000.
 */
export function splice(front: Socket, frontHead: Buffer, back: WebSocketLeg, opts: SpliceOptions): Splice {
  const { onBytes } = opts;
  const up = new Direction(front, back.socket, (n) => n && onBytes?.('to_container', n));
  const down = new Direction(back.socket, front, (n) => n && onBytes?.('to_client', n), { textAsBinary: opts.backTextAsBinary, closeReason: opts.backCloseReason });
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
      resolve({ bytesIn: up.frames.payloadBytes, bytesOut: down.frames.payloadBytes, endedBy: endedBy ?? 'front', code });
    };
    front.once('close', closed);
    back.socket.once('close', closed);
  });
  // Bytes go on as they come, often part of a frame: Nagle's algorithm would hold such a tail back for an ACK.
  front.setNoDelay(true);
  back.socket.setNoDelay(true);
  // Errors are followed by 'close'; listening keeps them from being thrown.
  front.on('error', () => undefined);
  back.socket.on('error', () => undefined);

  front.on('data', (chunk: Buffer) => {
    up.forward(chunk);
    if (up.frames.closed) ended('front', up.frames.closed.code);
  });
  back.socket.on('data', (chunk: Buffer) => {
    down.forward(chunk);
    if (down.frames.closed) ended('back', down.frames.closed.code);
  });
  // 'end' (the peer's FIN) or 'close' (reset, error), whichever comes first
  let frontLeft = false;
  let backLeft = false;
  const frontGone = (): void => {
    if (frontLeft) return;
    frontLeft = true;
    ended('front', 1006);
    up.sourceEnded(up.frames.closed ? null : closeFrame(WS_CLOSE.NORMAL, 'The client left.', true));
    cutOffLater(back.socket);
  };
  const backGone = (): void => {
    if (backLeft) return;
    backLeft = true;
    ended('back', opts.backGone.code);
    down.sourceEnded(down.frames.closed ? null : closeFrame(opts.backGone.code, closeReason(opts.backGone.reason), false));
    cutOffLater(front);
  };
  front.once('end', frontGone);
  front.once('close', frontGone);
  back.socket.once('end', backGone);
  back.socket.once('close', backGone);

  if (frontHead.length) front.unshift(frontHead);
  if (back.head.length) back.socket.unshift(back.head);

  return {
    result,
    goingAway(reason: string): void {
      const why = closeReason(reason);
      down.insert(closeFrame(WS_CLOSE.GOING_AWAY, why, false));
      up.insert(closeFrame(WS_CLOSE.GOING_AWAY, why, true));
      cutOffLater(front);
      cutOffLater(back.socket);
    },
  };
}
