import { type ServiceIdentifier } from 'inversify';
import { type Image } from '@zun-ts/objects';
import { type PageOptions } from './pagination';

/** A new image row (`POST /v1/images`): the pull fills `image_id` and `size` later. */
export type NewImage = Pick<Image, 'uuid' | 'repo' | 'tag' | 'host' | 'project_id' | 'user_id'> & Partial<Pick<Image, 'image_id' | 'size'>>;

/** What a finished pull writes (Zun rewrites repo and tag from the engine's RepoTags). */
export type ImagePatch = Partial<Pick<Image, 'image_id' | 'size' | 'repo' | 'tag'>>;

/**
 * The image table: images pulled onto compute hosts through `/v1/images`, unique by (repo, tag, host).
 * Images are an admin resource; rows carry the project that asked, but lists are not scoped by it.
 */
export interface ImageRepository {
  /** @throws Conflict (409) "An image with tag T and repo R already exists." on a duplicate (repo, tag, host). */
  create(image: NewImage): Promise<Image>;
  /** @throws ImageNotFound (404). */
  getByUuid(uuid: string): Promise<Image>;
  list(opts?: PageOptions): Promise<Image[]>;
  /** @throws ImageNotFound (404) when the row is gone. */
  update(uuid: string, patch: ImagePatch): Promise<Image>;
  /** Removes the row; a row already gone is not an error (redelivered messages). */
  destroy(uuid: string): Promise<void>;
}

/** Injection token of the {@link ImageRepository}. */
export const IMAGE_REPOSITORY: ServiceIdentifier<ImageRepository> = Symbol.for('zun.ImageRepository');
