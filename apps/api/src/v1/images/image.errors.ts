import { BadRequest, Conflict, ImageNotFound as ImageRowNotFound, InvalidValue } from '@zun-ts/common';

// Errors of the image API. The class name is part of the wire format (`container.<kebab-case class name>`).

/** 404 for an image row (`/v1/images/{uuid}`): any identifier that is not a known uuid. */
export function imageNotFound(ident: string): ImageRowNotFound {
  return new ImageRowNotFound(`Image ${ident} could not be found.`);
}

/**
 * 400: image validation on create found no such image where the image driver would get it. Zun's ImageNotFound is
 * an Invalid (400) there, so the code is `container.image-not-found` with status 400, unlike the 404 of a row.
 */
export class ImageNotFound extends BadRequest {
  static of(image: string): ImageNotFound {
    return new ImageNotFound(`Image ${image} could not be found.`);
  }
}

/** 400: `POST /v1/images` named a host that is no compute node. */
export function hostDoesNotExist(host: string): InvalidValue {
  return new InvalidValue(`The host ${host} does not exist.`);
}

/** 409: an image a container on its host still uses cannot be deleted (the engine would refuse it). */
export class ImageInUse extends Conflict {
  static of(ref: string, containerUuid: string): ImageInUse {
    return new ImageInUse(`Image ${ref} is in use by container ${containerUuid} and cannot be deleted.`);
  }
}

/** 400: a search asked for an image driver this API has not enabled. */
export function imageDriverNotEnabled(driver: string): InvalidValue {
  return new InvalidValue(`Image driver ${driver} is not enabled.`);
}

/** A search through an enabled image driver that has no API side here (a plug-in's image driver). */
export function imageDriverWithoutSearch(driver: string): InvalidValue {
  return new InvalidValue(`Image driver ${driver} does not support image search.`);
}
