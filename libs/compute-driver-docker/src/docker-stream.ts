/** Output of a non-TTY container or exec, split by stream. */
export interface DemuxedOutput {
  stdout: Buffer;
  stderr: Buffer;
  /** Both streams in arrival order (what Zun shows as logs and exec output). */
  combined: Buffer;
}

/**
 * Strips Docker's 8-byte frame headers (stream id, 3 zero bytes, big-endian length) from the output of a
 * container or exec without a TTY. Input that is not framed (a TTY stream) comes back whole as stdout.
 */
export function demuxDockerStream(buf: Buffer): DemuxedOutput {
  if (!looksFramed(buf)) return { stdout: buf, stderr: Buffer.alloc(0), combined: buf };
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i];
    const size = buf.readUInt32BE(i + 4);
    const payload = buf.subarray(i + 8, Math.min(buf.length, i + 8 + size));
    if (kind === 2) err.push(payload);
    else out.push(payload);
    all.push(payload);
    i += 8 + size;
  }
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), combined: Buffer.concat(all) };
}

/** Every frame header in the buffer is well formed (stream 0..2, zero padding, length within the buffer). */
function looksFramed(buf: Buffer): boolean {
  if (buf.length < 8) return false;
  let i = 0;
  while (i < buf.length) {
    if (i + 8 > buf.length) return false;
    const kind = buf[i] ?? 255;
    if (kind > 2 || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) return false;
    i += 8 + buf.readUInt32BE(i + 4);
  }
  return i === buf.length;
}
