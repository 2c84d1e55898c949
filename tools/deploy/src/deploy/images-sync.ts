// Getting each host's images onto its engine before its containers are
// compared: with docker_registry set, the engine pulls them (as Kolla-Ansible's
// `pull`); without one, an image missing on a host is streamed from another
// host's engine that has it (save on one, load on the other), so the tree built
// once on one engine reaches every host.
import type Docker from 'dockerode';
import { resolveService } from '../catalogue/resolve';
import { type Deployment, servicesOn } from '../inventory/deployment';
import { type HostEngine } from './host';

/** The image references a host needs (its services; the one-shots use their service's image). */
export function imagesFor(dep: Deployment, host: string): string[] {
  return [...new Set(servicesOn(dep, host).map((s) => resolveService(dep, host, s).image))];
}

function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string; errorDetail?: { message?: string } }[]) => {
      const failed = out?.find((o) => o.error || o.errorDetail);
      if (err) reject(err);
      else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error ?? 'failed'));
      else resolve();
    });
  });
}

export interface SyncedImage {
  host: string;
  image: string;
  /** 'present', 'pulled', or `copied from <host>`. */
  how: string;
}

/** One engine's build of an image reference. */
export interface ImageBuild {
  host: string;
  id: string;
  /** Docker's Created, an ISO date. */
  created: string;
}

/**
 * The build a host should run: the newest of the builds the engines hold under the same reference (by creation
 * time; the first listed on a tie). A `latest` an engine kept from an earlier build loses to a newer one elsewhere.
 */
export function newestBuild(builds: ImageBuild[]): ImageBuild | undefined {
  let best: ImageBuild | undefined;
  for (const b of builds) if (!best || Date.parse(b.created) > Date.parse(best.created)) best = b;
  return best;
}

/**
 * Makes every image the hosts need present on their engines. With docker_registry, a missing image is pulled.
 * Without one, `sources` are the engines images may be copied from (every host of the deployment, selected or
 * not): a host gets the newest build any of them holds, copied over when it lacks it or holds an older build
 * under the same reference. Throws naming the host and image when no engine has it.
 */
export async function syncImages(dep: Deployment, hosts: string[], engine: (h: string) => HostEngine, sources: string[]): Promise<SyncedImage[]> {
  const done: SyncedImage[] = [];
  // each engine's build of each image, inspected once for all the hosts that need it
  const known = new Map<string, ImageBuild | null>();
  const buildOn = async (h: string, image: string): Promise<ImageBuild | null> => {
    const key = `${h}\n${image}`;
    if (!known.has(key)) {
      const i = await engine(h).image(image);
      known.set(key, i && { host: h, ...i });
    }
    return known.get(key) ?? null;
  };
  for (const host of hosts) {
    const dst = engine(host);
    for (const image of imagesFor(dep, host)) {
      if (dep.globals.docker_registry) {
        if (await dst.imageId(image)) {
          done.push({ host, image, how: 'present' });
          continue;
        }
        await follow(dst.docker, await dst.docker.pull(image));
        done.push({ host, image, how: 'pulled' });
        continue;
      }
      const builds: ImageBuild[] = [];
      for (const s of [host, ...sources.filter((x) => x !== host)]) {
        const b = await buildOn(s, image);
        if (b) builds.push(b);
      }
      const newest = newestBuild(builds);
      if (!newest) throw new Error(`host ${host}: image ${image} is on no engine of the deployment (zun-kolla build, or set docker_registry)`);
      if (builds[0]?.host === host && builds[0].id === newest.id) {
        done.push({ host, image, how: 'present' });
        continue;
      }
      const tar = await engine(newest.host).docker.getImage(image).get();
      await follow(dst.docker, await dst.docker.loadImage(tar));
      if ((await dst.imageId(image)) !== newest.id) throw new Error(`host ${host}: loading ${image} from ${newest.host} did not leave its build ${newest.id}`);
      known.set(`${host}\n${image}`, { ...newest, host });
      done.push({ host, image, how: `copied from ${newest.host}` });
    }
  }
  return done;
}
