import { type Request } from 'express';
import { InvalidParamInVersion, InvalidValue, SchemaValidationError } from '@zun-ts/common';
import { ApiVersion, MIN_VERSION } from './api-version';
import { HttpError } from './http-error';
import { readBody } from './read-body';
import { requestState } from './request-state';
import { queryParams } from './query-schema';

/** The request's microversion (the /v1 middleware always sets it). */
export function versionOf(req: Request): ApiVersion {
  return requestState(req).version ?? MIN_VERSION;
}

function isJsonContentType(req: Request): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[^/]*\+json$/.test(type);
}

/** 415 unless the request says its body is JSON (Zun requires it on create). */
export function requireJsonContentType(req: Request): void {
  if ((req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json') return;
  const given = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  throw new HttpError(415, `Unexpected content type: ${given}. Expected content types are: ['application/json']`);
}

/**
 * The JSON object body. Zun's client sends action parameters in the query string with an empty
 * body, and DELETE with an octet-stream content type: both read as `{}`. A body declared JSON that
 * does not parse, or is not an object, is refused (400) rather than silently ignored.
 */
export async function jsonBody(req: Request): Promise<Record<string, unknown>> {
  const raw = await readBody(req);
  if (raw.length === 0 || !isJsonContentType(req)) return {};
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SchemaValidationError('Malformed request body: it is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SchemaValidationError('Malformed request body: it must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Query string and JSON body as one set of parameters, as Zun's framework hands them to a handler.
 * Where both name a parameter the body's value is used (Zun's would pass the handler a list of both).
 */
export async function mergedParams(req: Request): Promise<Record<string, unknown>> {
  return { ...queryParams(req), ...(await jsonBody(req)) };
}

const TRUE_STRINGS = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE_STRINGS = ['0', 'f', 'false', 'off', 'n', 'no'];

/**
 * oslo's strict `bool_from_string`: a boolean, or one of the true/false words in any case;
 * anything else is 400 "Valid <what> values are: 1, t, true, …".
 */
export function strictBool(value: unknown, what: string): boolean {
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (TRUE_STRINGS.includes(s)) return true;
  if (FALSE_STRINGS.includes(s)) return false;
  throw new InvalidValue(`Valid ${what} values are: ${[...TRUE_STRINGS, ...FALSE_STRINGS].join(', ')}`);
}

/** Zun's `is_all_projects`: absent or empty is false, anything else must be a true/false word. */
export function isAllProjects(params: Readonly<Record<string, unknown>>): boolean {
  const v = params['all_projects'];
  if (v === undefined || v === null || v === '' || v === false) return false;
  return strictBool(v, 'all_projects');
}

/** 400 InvalidParamInVersion when `param` is newer than the request's microversion. */
export function versionCheck(v: ApiVersion, param: string, minVersion: string): void {
  const min = ApiVersion.parse(minVersion) as ApiVersion;
  if (v.lt(min)) {
    throw new InvalidParamInVersion(
      `Invalid param ${param} because current request version is ${v.toString()}. ${param} is only supported from version ${min.toString()}`,
    );
  }
}

/** Zun's `validate_limit`: positive integer, capped at `max_limit`; absent → `max_limit`. */
export function validateLimit(limit: string | undefined, maxLimit: number): number {
  if (limit === undefined) return maxLimit;
  const n = /^\s*[+-]?\d+\s*$/.test(limit) ? Number.parseInt(limit, 10) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidValue('Limit must be positive integer');
  return Math.min(maxLimit, n);
}

/** Zun's `validate_sort_dir`. */
export function validateSortDir(dir: string): 'asc' | 'desc' {
  if (dir !== 'asc' && dir !== 'desc') throw new InvalidValue(`Invalid sort direction: ${dir}. Acceptable values are 'asc' or 'desc'`);
  return dir;
}

/** Zun's collection `next` link: only when the page is full; filters are not carried over. */
export function nextLink(hostUrl: string, resource: string, items: readonly { uuid: string }[], limit: number, sortKey: string, sortDir: string): string | null {
  const last = items[items.length - 1];
  if (!last || items.length !== limit) return null;
  return `${hostUrl}/v1/${resource}?sort_key=${sortKey}&sort_dir=${sortDir}&limit=${limit}&marker=${last.uuid}`;
}
