// Microversions of the container API (`container 1.N`) and the negotiation of the one a client sends.
import { ZunClientError } from './errors';

/** A `major.minor` microversion. */
export class Microversion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(text: string): Microversion {
    const m = /^\s*(\d+)\.(\d+)\s*$/.exec(text);
    if (!m) throw new ZunClientError(`not a microversion: ${JSON.stringify(text)}`);
    return new Microversion(Number(m[1]), Number(m[2]));
  }

  compare(o: Microversion): number {
    return this.major - o.major || this.minor - o.minor;
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

/** The newest microversion this client knows. */
export const CLIENT_MAX_VERSION = new Microversion(1, 40);
/** The oldest microversion this client speaks. */
export const CLIENT_MIN_VERSION = new Microversion(1, 1);

/**
 * The highest microversion both sides support: min(server max, client max), if it is not below either side's
 * minimum. `wanted` (a version the caller pins) must lie within both ranges.
 */
export function negotiate(server: { min: Microversion; max: Microversion }, wanted?: Microversion): Microversion {
  const top = server.max.compare(CLIENT_MAX_VERSION) < 0 ? server.max : CLIENT_MAX_VERSION;
  const bottom = server.min.compare(CLIENT_MIN_VERSION) > 0 ? server.min : CLIENT_MIN_VERSION;
  const pick = wanted ?? top;
  if (top.compare(bottom) < 0 || pick.compare(bottom) < 0 || pick.compare(top) > 0) {
    throw new ZunClientError(
      `no common microversion: the server speaks ${server.min}–${server.max}, this client ${CLIENT_MIN_VERSION}–${CLIENT_MAX_VERSION}${wanted ? `, ${wanted} was asked for` : ''}`,
    );
  }
  return pick;
}

/** The min/max of a version document (`GET /` lists `versions`, `GET /v1` may carry them itself). */
export function versionRangeOf(doc: unknown): { min: Microversion; max: Microversion } | null {
  if (typeof doc !== 'object' || doc === null) return null;
  const d = doc as { versions?: unknown; version?: unknown; min_version?: unknown; max_version?: unknown };
  const candidates: unknown[] = [d, d.version, ...(Array.isArray(d.versions) ? d.versions : [])];
  for (const c of candidates) {
    if (typeof c !== 'object' || c === null) continue;
    const v = c as { id?: unknown; min_version?: unknown; max_version?: unknown };
    if (typeof v.min_version === 'string' && typeof v.max_version === 'string' && v.min_version && v.max_version && (v.id === undefined || v.id === 'v1')) {
      return { min: Microversion.parse(v.min_version), max: Microversion.parse(v.max_version) };
    }
  }
  return null;
}
