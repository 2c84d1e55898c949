import { ImageNotFound, ZunError, registerError } from '@zun-ts/common';

export { ImageNotFound };


/** The container engine refused or failed a request; retrying the same request will not help. */
export class DockerError extends ZunError {
  readonly status: number = 500;
}

/**
 * The container engine could not be reached or timed out (socket missing, connection refused, engine
 * restarting); the same request may succeed later.
 */
export class DockerUnavailable extends DockerError {
  override readonly retryable: boolean = true;
}

/** A call the strict fake driver was not told to expect; always a bug in the test or the code under test. */
export class UnexpectedDriverCall extends Error {
  constructor(readonly method: string, readonly args: readonly unknown[]) {
    super(`FakeContainerDriver: unexpected call ${method}(${describeArgs(args)})`);
    this.name = 'UnexpectedDriverCall';
  }
}

function describeArgs(args: readonly unknown[]): string {
  return args
    .slice(1) // the RequestContext says nothing useful
    .map((a) => {
      try {
        return JSON.stringify(a) ?? String(a);
      } catch {
        return String(a);
      }
    })
    .join(', ');
}

for (const cls of [DockerError, DockerUnavailable]) {
  registerError(cls as unknown as new (message: string) => ZunError);
}
