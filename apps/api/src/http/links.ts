/** A link of Zun's views. */
export interface Link {
  href: string;
  rel: string;
  type?: string;
}

/**
 * Zun's link builder: `self` → `<host_url>/v1/<resource>/<args>`, `bookmark` →
 * `<host_url>/<resource>/<args>`; args starting with `?` are appended without a slash.
 */
export function makeLink(rel: string, hostUrl: string, resource: string, args: string, bookmark = false): Link {
  const base = bookmark ? `${hostUrl}/${resource}` : `${hostUrl}/v1/${resource}`;
  return { href: args.startsWith('?') ? `${base}${args}` : `${base}/${args}`, rel };
}

/** The usual self + bookmark pair. */
export function selfAndBookmark(hostUrl: string, resource: string, args = ''): Link[] {
  return [makeLink('self', hostUrl, resource, args), makeLink('bookmark', hostUrl, resource, args, true)];
}
