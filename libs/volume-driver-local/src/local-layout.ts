import { join } from 'node:path';

/**
 * Where the local driver keeps things under `[volume] mount_prefix`:
 *
 *     volumes/<id>.img          the volume: a sparse image file holding its filesystem
 *     volumes/.<id>.img.part    an image being made (renamed to <id>.img once mkfs succeeded)
 *     volumes/<id>/             mount point (immutable while empty: nothing can be written into it unmounted)
 *     volumes/<id>/data/        inside the mounted filesystem: the directory bind-mounted into containers
 *     files/<id>                an injected file (mode 0444)
 *     files/.<id>.part          an injected file being written
 */
export class LocalLayout {
  readonly volumesDir: string;
  readonly filesDir: string;

  constructor(readonly root: string) {
    this.volumesDir = join(root, 'volumes');
    this.filesDir = join(root, 'files');
  }

  image(id: string): string {
    return join(this.volumesDir, `${id}.img`);
  }
  imagePart(id: string): string {
    return join(this.volumesDir, `.${id}.img.part`);
  }
  mountPoint(id: string): string {
    return join(this.volumesDir, id);
  }
  /** The bind source for containers: a directory inside the mounted filesystem. */
  data(id: string): string {
    return join(this.volumesDir, id, 'data');
  }
  file(id: string): string {
    return join(this.filesDir, id);
  }
  filePart(id: string): string {
    return join(this.filesDir, `.${id}.part`);
  }
}

/** `<uuid>.img` → uuid; anything else → undefined. */
export function volumeIdOfImage(name: string): string | undefined {
  return /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.img$/.exec(name)?.[1];
}

/** `<uuid>` → uuid; anything else → undefined. */
export function idOfFile(name: string): string | undefined {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(name) ? name : undefined;
}
