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

/**
 * Makes every image the hosts need present on their engines. `sources` are the
 * engines images may be copied from (every host of the deployment, selected or
 * not). Throws naming the host and image when no source has it.
 */
export async function syncImages(dep: Deployment, hosts: string[], engine: (h: string) => HostEngine, sources: string[]): Promise<SyncedImage[]> {
  const done: SyncedImage[] = [];
  for (const host of hosts) {
    const dst = engine(host);
    for (const image of imagesFor(dep, host)) {
      if (await dst.imageId(image)) {
        done.push({ host, image, how: 'present' });
        continue;
      }
      if (dep.globals.docker_registry) {
        await follow(dst.docker, await dst.docker.pull(image));
        done.push({ host, image, how: 'pulled' });
        continue;
      }
      let from: string | undefined;
      for (const s of sources.filter((x) => x !== host)) {
        if (await engine(s).imageId(image)) {
          from = s;
          break;
        }
      }
      if (!from) throw new Error(`host ${host}: image ${image} is on no engine of the deployment (zun-kolla build, or set docker_registry)`);
      const tar = await engine(from).docker.getImage(image).get();
      await follow(dst.docker, await dst.docker.loadImage(tar));
      if (!(await dst.imageId(image))) throw new Error(`host ${host}: loading ${image} from ${from} left no such image`);
      done.push({ host, image, how: `copied from ${from}` });
    }
  }
  return done;
}
