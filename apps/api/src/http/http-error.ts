import { STATUS_CODES } from 'node:http';

/** Reason phrases as Zun's web framework (webob) writes them, where they differ from node's. */
const REASONS: Readonly<Record<number, string>> = {
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  416: 'Request Range Not Satisfiable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? STATUS_CODES[status] ?? 'Unknown';
}

/**
 * A framework-level HTTP error (unknown route, wrong method, bad microversion, body too large):
 * rendered with code `container.`, the reason phrase (or `title`) as title and `detail` as detail.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly title: string = reasonPhrase(status),
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}
