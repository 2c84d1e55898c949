import { open } from 'node:fs/promises';
import { type VolumeFsType } from './driver-contract';

/** What the superblock at the start of an image says. */
export interface FsSignature {
  /** ext2/3/4 read as `ext4` (the driver only makes ext4); null: no filesystem this driver knows. */
  fstype: VolumeFsType | null;
  /** Filesystem uuid, lower case (the local driver sets it to the volume id). */
  uuid: string | null;
}

const EXT_SUPERBLOCK = 1024;
const EXT_MAGIC_OFFSET = EXT_SUPERBLOCK + 0x38;
const EXT_UUID_OFFSET = EXT_SUPERBLOCK + 0x68;
const XFS_UUID_OFFSET = 32;

/** Reads the first 2 KiB of an image and recognises ext4 and xfs (no program needed). */
export async function readFsSignature(file: string): Promise<FsSignature> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(2048);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return fsSignatureOf(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** {@link readFsSignature} on bytes already read. */
export function fsSignatureOf(buf: Buffer): FsSignature {
  if (buf.length >= 4 && buf.toString('latin1', 0, 4) === 'XFSB') {
    return { fstype: 'xfs', uuid: uuidAt(buf, XFS_UUID_OFFSET) };
  }
  if (buf.length >= EXT_UUID_OFFSET + 16 && buf.readUInt16LE(EXT_MAGIC_OFFSET) === 0xef53) {
    return { fstype: 'ext4', uuid: uuidAt(buf, EXT_UUID_OFFSET) };
  }
  return { fstype: null, uuid: null };
}

function uuidAt(buf: Buffer, off: number): string | null {
  if (buf.length < off + 16) return null;
  const h = buf.toString('hex', off, off + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
