import { type ServiceIdentifier } from 'inversify';
import { type RequestContext } from '@zun-ts/common';

/** Pull credentials of a registry as the API uses them (password opened). */
export interface RegistryAccess {
  /** `host[:port]`. */
  domain: string;
  username: string | null;
  password: string | null;
}

/**
 * One row of `GET /v1/images/{name}/search`. The `zun` CLI prints the columns ID, Name, Tags, Status, Size and
 * Metadata, looked up lower-cased, so every result carries those keys (null when the driver has no value).
 */
export interface ImageSearchResult {
  id: string | null;
  name: string;
  tags: string[];
  status: string | null;
  size: number | null;
  metadata: Record<string, unknown>;
  [extra: string]: unknown;
}

/** What an image driver answers about an image the API was asked to use: present, absent, or cannot tell. */
export type ImagePresence = 'present' | 'absent' | 'unknown';

/**
 * The API side of an image driver (Zun's `image_driver`: `docker` registries, `glance`): image validation on
 * create and image search. The compute side pulls; this side only looks.
 */
export interface ApiImageDriver {
  readonly name: 'docker' | 'glance';
  /**
   * Whether the image a create names exists where this driver would get it from. `registry` is the container's
   * 1.31 registry (docker driver only). `unknown` when the source cannot be reached: the create then goes on and the
   * host reports what it finds.
   */
  presence(ctx: RequestContext, image: string, registry: RegistryAccess | null): Promise<ImagePresence>;
  /**
   * Images matching `term` (a prefix of the repository or image name; the whole name with `exact`), from the
   * sources this driver uses for the caller (`registries`: the default registry's access and the caller's own).
   */
  search(ctx: RequestContext, term: string, exact: boolean, registries: RegistryAccess[]): Promise<ImageSearchResult[]>;
}

/** Injection token of the API's image drivers (every one enabled in `image_driver_list`). */
export const API_IMAGE_DRIVERS: ServiceIdentifier<ApiImageDriver[]> = Symbol.for('zun.ApiImageDrivers');
