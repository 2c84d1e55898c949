import { type RequestHandler } from 'express';
import { ApiVersion, MAX_VERSION, MIN_VERSION, SERVICE_TYPE } from '../http/api-version';
import { HttpError } from '../http/http-error';
import { requestState } from '../http/request-state';

export const VERSION_HEADER = 'OpenStack-API-Version';
export const MIN_VERSION_HEADER = 'OpenStack-API-Minimum-Version';
export const MAX_VERSION_HEADER = 'OpenStack-API-Maximum-Version';

/**
 * The version a request asked for, parsed as Zun does: no header means the minimum (1.1),
 * `latest` the maximum; a malformed header is a 406. The range is checked separately.
 */
export function parseVersionHeader(value: string | undefined): ApiVersion {
  if (value === undefined) return MIN_VERSION;
  const parts = value.split(/\s+/).filter(Boolean);
  if (parts.length !== 2) throw new HttpError(406, `Invalid service type for ${VERSION_HEADER} header`);
  const [service, version] = parts as [string, string];
  if (service !== SERVICE_TYPE) throw new HttpError(406, `Invalid service type for ${VERSION_HEADER} header`);
  if (version.toLowerCase() === 'latest') return MAX_VERSION;
  const parsed = ApiVersion.parse(version);
  if (!parsed) throw new HttpError(406, `Invalid value for ${VERSION_HEADER} header`);
  return parsed;
}

/** 406 for a version outside [1.1, 1.40] (upstream Zun fails this with a 500; we answer properly). */
export function checkVersionRange(v: ApiVersion): void {
  const range = `The supported version range is: [${MIN_VERSION.toString()}, ${MAX_VERSION.toString()}].`;
  if (v.major !== MAX_VERSION.major) {
    throw new HttpError(406, `Mutually exclusive versions requested. Version ${v.toString()} requested but not supported by this service. ${range}`, 'Requested microversion is unsupported');
  }
  if (v.lt(MIN_VERSION) || v.gt(MAX_VERSION)) {
    throw new HttpError(406, `Version ${v.toString()} was requested but the minor version is not supported by this service. ${range}`, 'Requested microversion is unsupported');
  }
}

/** Negotiates the microversion of a /v1 request; the version headers go on every answer, errors included. */
export const microversion: RequestHandler = (req, res, next) => {
  res.setHeader(MIN_VERSION_HEADER, `${SERVICE_TYPE} ${MIN_VERSION.toString()}`);
  res.setHeader(MAX_VERSION_HEADER, `${SERVICE_TYPE} ${MAX_VERSION.toString()}`);
  res.vary(VERSION_HEADER);
  const raw = req.headers[VERSION_HEADER.toLowerCase()];
  const version = parseVersionHeader(Array.isArray(raw) ? raw.join(', ') : raw);
  res.setHeader(VERSION_HEADER, `${SERVICE_TYPE} ${version.toString()}`);
  checkVersionRange(version);
  requestState(req).version = version;
  next();
};
