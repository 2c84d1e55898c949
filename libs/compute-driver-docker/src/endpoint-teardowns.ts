import { KeyedLock } from '@zun-ts/common';

/**
 * Requests that release a running container's network endpoints, one at a time per network.
 *
 * Docker 20.10 before 20.10.27 (Debian 12 ships 20.10.24) can deadlock its network controller when two endpoints
 * of one user-defined network are released at the same time: the release of one holds the network's lock and waits
 * for the controller's, the other holds the controller's and waits for the network's (moby/moby#46661). From then
 * on the engine answers nothing that touches networks (`docker info`, creates, removes) until it is restarted.
 * Fifty force-removes at once on one project network did that here.
 *
 * The engine releases a container's endpoints when its process ends, before a stop or a force-remove returns; so a
 * stop, restart or force-remove of a running container waits here for the others on any of its networks. Keys are
 * taken in sorted order, so two containers sharing several networks cannot wait for each other. Not covered: a
 * process that ends by itself, or after a kill, at the same moment; only a fixed engine removes that risk.
 */
export class EndpointTeardowns {
  private readonly locks = new KeyedLock();

  /** Runs `fn` once no other teardown on any of `networks` is running; in arrival order per network. */
  run<T>(networks: readonly string[], fn: () => Promise<T>): Promise<T> {
    const keys = [...new Set(networks)].sort();
    const from = (i: number): Promise<T> => {
      const key = keys[i];
      return key === undefined ? fn() : this.locks.run(key, () => from(i + 1));
    };
    return from(0);
  }

  /** Networks with a teardown queued or running. */
  get busy(): number {
    return this.locks.size;
  }
}
