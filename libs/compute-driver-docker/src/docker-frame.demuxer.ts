import { Transform, type TransformCallback } from 'node:stream';

const HEADER = 8;

/**
 * Streaming counterpart of `demuxDockerStream`: strips Docker's 8-byte frame headers (stream id, 3 zero
 * bytes, big-endian length) from a live attach or exec stream of a process without a TTY, passing stdout
 * and stderr payloads on in arrival order. Frames may be split across chunks at any byte.
 */
export class DockerFrameDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  /** Payload bytes still to pass on from the current frame. */
  private remaining = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, buf.length);
        this.push(buf.subarray(0, take));
        this.remaining -= take;
        buf = buf.subarray(take);
        continue;
      }
      if (buf.length < HEADER) {
        this.pending = Buffer.from(buf);
        break;
      }
      const kind = buf[0] ?? 255;
      if (kind > 2 || buf[1] !== 0 || buf[2] !== 0 || buf[3] !== 0) {
        done(new Error('malformed Docker stream frame header'));
        return;
      }
      this.remaining = buf.readUInt32BE(4);
      buf = buf.subarray(HEADER);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    // A header cut short by the end of the stream carries no payload.
    this.pending = Buffer.alloc(0);
    done();
  }
}
