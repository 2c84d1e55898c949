import { chmod, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { checkInjectedContents, checkVolumeId, type InjectedFile, type InjectedFileSpec, VolumeAlreadyExists, VolumeCreateFailed, VolumeDeleteFailed } from './driver-contract';
import { idOfFile, type LocalLayout } from './local-layout';

/**
 * Injected files (`mounts` of `type: bind`): small read-only files under `<mount_prefix>/files/`, written
 * atomically (a partial file is never bind-mounted) and compared byte for byte on a repeated write.
 * Callers hold the per-id lock.
 */
export class LocalInjectedFiles {
  constructor(private readonly layout: LocalLayout) {}

  async write(spec: InjectedFileSpec): Promise<InjectedFile> {
    const id = checkVolumeId(spec.id, 'injected file id');
    const bytes = checkInjectedContents(spec.contents);
    const path = this.layout.file(id);
    const existing = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new VolumeCreateFailed(`Cannot read injected file ${id}: ${err.message}`);
    });
    if (existing) {
      if (Buffer.compare(existing, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)) !== 0) {
        throw new VolumeAlreadyExists(`Injected file ${id} already exists on this host with other contents.`);
      }
      return { id, host_path: path, size: existing.length };
    }
    const part = this.layout.filePart(id);
    try {
      await mkdir(this.layout.filesDir, { recursive: true, mode: 0o711 });
      const fh = await open(part, 'w', 0o444);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await chmod(part, 0o444);
      await rename(part, path);
    } catch (err) {
      await unlink(part).catch(() => undefined);
      throw new VolumeCreateFailed(`Cannot write injected file ${id}: ${(err as Error).message}`);
    }
    return { id, host_path: path, size: bytes.length };
  }

  async remove(idIn: string): Promise<void> {
    const id = checkVolumeId(idIn, 'injected file id');
    for (const p of [this.layout.file(id), this.layout.filePart(id)]) {
      await unlink(p).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw new VolumeDeleteFailed(`Cannot remove injected file ${id}: ${err.message}`);
      });
    }
  }

  async list(): Promise<InjectedFile[]> {
    const names = await readdir(this.layout.filesDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const out: InjectedFile[] = [];
    for (const name of names.sort()) {
      const id = idOfFile(name);
      if (!id) continue;
      const st = await stat(this.layout.file(id)).catch(() => undefined);
      if (st?.isFile()) out.push({ id, host_path: this.layout.file(id), size: st.size });
    }
    return out;
  }
}
