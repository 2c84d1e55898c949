// The image tree `zun-kolla build` makes, as data: each image's parent (its
// FROM), the build argument that names the parent, and what its build context
// holds besides deploy/images/<name>/. Kolla's tree, reduced to ours:
//   debian (debootstrap, imported) → base → zun-base → zun-<svc>
//                                        ↘ mariadb, redis, keystone, haproxy

export type Stage = 'base' | 'zun-base' | 'dir';

export interface ImageSpec {
  name: string;
  /** The image this one builds FROM (null: imported root file system). */
  parent: string | null;
  /** The Dockerfile's ARG that names the parent. */
  parentArg: string;
  /** How the build context is made (see stage.ts). */
  stage: Stage;
}

const zun = (svc: string): ImageSpec => ({ name: `zun-${svc}`, parent: 'zun-base', parentArg: 'ZUN_BASE_IMAGE', stage: 'dir' });

/** Every image, parents before children. */
export const IMAGES: readonly ImageSpec[] = [
  { name: 'base', parent: 'debian', parentArg: 'DEBIAN_IMAGE', stage: 'base' },
  { name: 'mariadb', parent: 'base', parentArg: 'BASE_IMAGE', stage: 'dir' },
  { name: 'redis', parent: 'base', parentArg: 'BASE_IMAGE', stage: 'dir' },
  { name: 'keystone', parent: 'base', parentArg: 'BASE_IMAGE', stage: 'dir' },
  { name: 'haproxy', parent: 'base', parentArg: 'BASE_IMAGE', stage: 'dir' },
  { name: 'zun-base', parent: 'base', parentArg: 'BASE_IMAGE', stage: 'zun-base' },
  ...['api', 'conductor', 'scheduler', 'compute', 'wsproxy'].map(zun),
];

/** The imported Debian root file system (not built from a Dockerfile). */
export const ROOTFS_IMAGE = 'debian';

/**
 * The images to build for a selection (names or a prefix such as `zun-`):
 * the selected ones and every ancestor, in build order. Empty selection: all.
 * @throws Error naming a selection that matches no image
 */
export function selectImages(wanted: string[]): ImageSpec[] {
  if (!wanted.length) return [...IMAGES];
  const keep = new Set<string>();
  for (const w of wanted) {
    const hits = IMAGES.filter((i) => i.name === w || (w.endsWith('-') && i.name.startsWith(w)));
    if (!hits.length) throw new Error(`no image "${w}" (images: ${IMAGES.map((i) => i.name).join(', ')})`);
    for (const hit of hits) {
      for (let cur: ImageSpec | undefined = hit; cur; cur = IMAGES.find((i) => i.name === cur?.parent)) keep.add(cur.name);
    }
  }
  return IMAGES.filter((i) => keep.has(i.name));
}

/** namespace/name:tag, with the registry in front when there is one. */
export function imageName(namespace: string, name: string, tag: string, registry = ''): string {
  return `${registry ? `${registry}/` : ''}${namespace}/${name}:${tag}`;
}
