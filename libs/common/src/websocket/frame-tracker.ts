/** WebSocket opcodes (RFC 6455 §5.2) the splice looks at. */
export const OPCODE = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8 } as const;

/** What one side said when it closed: the status code (1005 when its close frame had none). */
export interface CloseSeen {
  code: number;
}

/**
 * Follows the frames of one direction of a WebSocket connection without copying them, so the bytes can be
 * forwarded as they came: it knows where each frame ends (a close frame of the splice's own may only go in
 * between two frames), counts the payload bytes of data frames, and reads the status code of a close frame
 * (unmasking its two bytes when the frame is masked). It does not judge the frames: the endpoints do.
 *
 * With `textAsBinary` it rewrites one bit of each text frame's first byte, in the chunk it is fed, so the frame
 * goes on as a binary frame (payload untouched): Docker's attach/ws sends a process's bytes, UTF-8 or not, as text.
 */
export class FrameTracker {
  /** Payload bytes of data frames (text, binary, continuation) seen so far. */
  payloadBytes = 0;
  /** The first close frame seen, once its code is known. */
  closed: CloseSeen | null = null;
  /**
   * Where, in the chunk last fed, the header of the first close frame began; -1 when it did not begin there
   * (none yet, or it began in an earlier chunk).
   */
  closeStart = -1;

  private readonly header = Buffer.alloc(14);
  private headerLen = 0;
  private headerNeed = 2;
  private opcode = 0;
  private mask: Buffer | null = null;
  /** Payload bytes of the current frame still to come (a number: frames over 2^53 bytes are not a console's). */
  private remaining = 0;
  /** Offset in the current payload, for unmasking a close frame's code. */
  private payloadOffset = 0;
  private closeCode: number[] = [];
  /** Offset in the current chunk where the frame whose header is being read began (-1: in an earlier chunk). */
  private headerStart = -1;
  private closeFound = false;

  constructor(private readonly textAsBinary = false) {}

  /** No frame is half-way: a frame may be inserted here. */
  get atBoundary(): boolean {
    return this.headerLen === 0 && this.remaining === 0;
  }

  /**
   * Takes the next bytes of the stream. Returns the offset just after the first frame that ends in `chunk` (or -1
   * when none does), for a caller that must cut the stream at a frame's end.
   */
  feed(chunk: Buffer): number {
    let firstEnd = -1;
    let i = 0;
    this.closeStart = -1;
    this.headerStart = -1;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        if (this.opcode === OPCODE.CLOSE) this.readCloseCode(chunk, i, take);
        else if (this.opcode <= OPCODE.BINARY) this.payloadBytes += take;
        this.remaining -= take;
        this.payloadOffset += take;
        i += take;
        if (this.remaining === 0) {
          this.frameEnded();
          if (firstEnd < 0) firstEnd = i;
        }
        continue;
      }
      if (this.headerLen === 0) {
        this.headerStart = i;
        if (this.textAsBinary && ((chunk[i] as number) & 0x0f) === OPCODE.TEXT) chunk[i] = ((chunk[i] as number) & 0xf0) | OPCODE.BINARY;
      }
      this.header[this.headerLen++] = chunk[i++] as number;
      if (this.headerLen === 2) {
        const len7 = (this.header[1] as number) & 0x7f;
        this.headerNeed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((this.header[1] as number) & 0x80 ? 4 : 0);
      }
      if (this.headerLen < this.headerNeed) continue;
      this.startFrame();
      if (this.remaining === 0) {
        this.frameEnded();
        if (firstEnd < 0) firstEnd = i;
      }
    }
    return firstEnd;
  }

  private startFrame(): void {
    const h = this.header;
    this.opcode = (h[0] as number) & 0x0f;
    if (this.opcode === OPCODE.CLOSE && !this.closeFound) {
      this.closeFound = true;
      this.closeStart = this.headerStart;
    }
    const len7 = (h[1] as number) & 0x7f;
    let at = 2;
    if (len7 === 126) {
      this.remaining = h.readUInt16BE(2);
      at = 4;
    } else if (len7 === 127) {
      this.remaining = Number(h.readBigUInt64BE(2));
      at = 10;
    } else this.remaining = len7;
    this.mask = (h[1] as number) & 0x80 ? Buffer.from(h.subarray(at, at + 4)) : null;
    this.headerLen = 0;
    this.headerNeed = 2;
    this.payloadOffset = 0;
    this.closeCode = [];
  }

  private readCloseCode(chunk: Buffer, from: number, take: number): void {
    for (let k = 0; k < take && this.payloadOffset + k < 2; k++) {
      const pos = this.payloadOffset + k;
      const byte = chunk[from + k] as number;
      this.closeCode.push(this.mask ? byte ^ (this.mask[pos % 4] as number) : byte);
    }
  }

  private frameEnded(): void {
    if (this.opcode === OPCODE.CLOSE && !this.closed) {
      const [hi, lo] = this.closeCode;
      this.closed = { code: hi === undefined || lo === undefined ? 1005 : (hi << 8) | lo };
    }
  }
}

/**
 * A close frame (RFC 6455 §5.5.1) with `code` and `reason` (at most 123 bytes of UTF-8, as the caller ensures).
 * `masked`: as a client sends it, with an all-zero mask (the legs it is sent on are service to service).
 */
export function closeFrame(code: number, reason: string, masked: boolean): Buffer {
  const text = Buffer.from(reason, 'utf8');
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  const head = Buffer.from([0x80 | OPCODE.CLOSE, (masked ? 0x80 : 0) | payload.length]);
  return Buffer.concat(masked ? [head, Buffer.alloc(4), payload] : [head, payload]);
}
