import { BadRequest, Conflict, VolumeInUse, VolumeNotFound, ZunError, registerError } from '@zun-ts/common';

// Their home is libs/common (the API and the database raise them too); a driver raises VolumeNotFound for a
// volume that is not on this host and VolumeInUse for one that is mounted or held by a process.
export { VolumeInUse, VolumeNotFound };

/** A volume (or injected file) with this id already exists here with a different size, filesystem or content. */
export class VolumeAlreadyExists extends Conflict {}

/** The request itself is wrong (an id that is not a uuid, a size that is not a whole number of GiB ≥ 1 ...). */
export class InvalidVolumeSpec extends BadRequest {}

/** Making the backing store or the filesystem failed; nothing of this attempt is left behind. */
export class VolumeCreateFailed extends ZunError {
  readonly status: number = 500;
}

/** Connecting or mounting the volume on the host failed. */
export class VolumeAttachFailed extends ZunError {
  readonly status: number = 500;
}

/** Unmounting or disconnecting the volume failed for a reason other than {@link VolumeInUse}. */
export class VolumeDetachFailed extends ZunError {
  readonly status: number = 500;
}

/** Removing the backing store failed. */
export class VolumeDeleteFailed extends ZunError {
  readonly status: number = 500;
}

/** A call the strict fake volume driver was not told to expect; always a bug in the test or the code under test. */
export class UnexpectedVolumeDriverCall extends Error {
  constructor(readonly method: string, readonly args: readonly unknown[]) {
    super(`FakeVolumeDriver: unexpected call ${method}(${describeArgs(args)})`);
    this.name = 'UnexpectedVolumeDriverCall';
  }
}

function describeArgs(args: readonly unknown[]): string {
  return args
    .slice(1) // the RequestContext says nothing useful
    .map((a) => {
      try {
        return JSON.stringify(a, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)) ?? String(a);
      } catch {
        return String(a);
      }
    })
    .join(', ');
}

for (const cls of [VolumeAlreadyExists, InvalidVolumeSpec, VolumeCreateFailed, VolumeAttachFailed, VolumeDetachFailed, VolumeDeleteFailed]) {
  registerError(cls as unknown as new (message: string) => ZunError);
}
