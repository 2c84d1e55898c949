/** A microversion `major.minor`. */
export class ApiVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  /** Parses `1.40`; `null` when it is not `int.int`. */
  static parse(text: string): ApiVersion | null {
    const parts = text.split('.');
    if (parts.length !== 2 || !parts.every((p) => /^[+-]?\d+$/.test(p))) return null;
    return new ApiVersion(Number.parseInt(parts[0] as string, 10), Number.parseInt(parts[1] as string, 10));
  }

  compare(other: ApiVersion): number {
    return this.major - other.major || this.minor - other.minor;
  }

  lt(other: ApiVersion): boolean {
    return this.compare(other) < 0;
  }

  gt(other: ApiVersion): boolean {
    return this.compare(other) > 0;
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

/** The service token of the OpenStack-API-Version header. */
export const SERVICE_TYPE = 'container';
export const MIN_VERSION = new ApiVersion(1, 1);
/** Newest microversion (the one `latest` means). */
export const MAX_VERSION = new ApiVersion(1, 40);
