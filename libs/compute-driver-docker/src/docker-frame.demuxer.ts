import { Transform, type TransformCallback } from 'node:stream';

const HEADER = 8;

/**
 * Incremental parser of Docker's multiplexed stream (the output of a process without a TTY): 8-byte frame
 * headers (stream id, 3 zero bytes, big-endian length) are dropped, stdout and stderr payloads kept in
 * arrival order. Frames may be split across chunks at any byte.
 */
export class DockerFrameParser {
  private pending: Buffer = Buffer.alloc(0);
  /** Payload bytes still to come of the current frame. */
  private remaining = 0;

  /**
   * The payload bytes of `chunk` (all of them as one buffer, so that a console sends one message per read,
   * not per frame), or null when it held none. Throws on a malformed header.
   */
  feed(chunk: Buffer): Buffer | null {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    // Fast path: the chunk is the rest of the current frame, or a part of it.
    if (this.remaining >= buf.length) {
      this.remaining -= buf.length;
      return buf.length ? buf : null;
    }
    const out: Buffer[] = [];
    while (buf.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, buf.length);
        out.push(buf.subarray(0, take));
        this.remaining -= take;
        buf = buf.subarray(take);
        continue;
      }
      if (buf.length < HEADER) {
        this.pending = Buffer.from(buf);
        break;
      }
      const kind = buf[0] ?? 255;
      if (kind > 2 || buf[1] !== 0 || buf[2] !== 0 || buf[3] !== 0) throw new Error('malformed Docker stream frame header');
      this.remaining = buf.readUInt32BE(4);
      buf = buf.subarray(HEADER);
    }
    if (out.length === 0) return null;
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }
}

/** {@link DockerFrameParser} as a stream: framed bytes in, payload bytes out. */
export class DockerFrameDemuxer extends Transform {
  private readonly parser = new DockerFrameParser();

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let payload: Buffer | null;
    try {
      payload = this.parser.feed(chunk);
    } catch (err) {
      done(err as Error);
      return;
    }
    if (payload) this.push(payload);
    done();
  }
}
