/** One sample of a Prometheus text exposition: `name{labels} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** The samples of a Prometheus text exposition (format 0.0.4); comments and blank lines are skipped. Throws on a malformed line. */
export function parsePrometheusText(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const l = LABEL.exec(body);
      if (!l) throw new Error(`malformed labels in: ${line}`);
      labels[l[1] as string] = unescape(l[2] as string);
    }
    const raw = m[3] as string;
    // prom-client writes NaN as `Nan` (an empty summary).
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : /^nan$/i.test(raw) ? NaN : Number(raw);
    if (Number.isNaN(value) && !/^nan$/i.test(raw)) throw new Error(`bad value in: ${line}`);
    out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

/** GET a `/metrics` URL and parse it; throws unless it answers 200 in the text format. */
export async function scrapeMetrics(url: string): Promise<MetricSample[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text}`);
  if (!/^text\/plain/.test(res.headers.get('content-type') ?? '')) throw new Error(`${url}: not the text format (${res.headers.get('content-type')})`);
  return parsePrometheusText(text);
}

/** The sum of the samples named `name` whose labels include `labels` (0 when none). */
export function metricValue(samples: readonly MetricSample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/**
 * The distinct label sets of the metric families named `prefix…`, one key each (`family {labels}`): a histogram's
 * `_bucket`, `_sum` and `_count` series are one family, and `le` is not a label of the set.
 */
export function labelSets(samples: readonly MetricSample[], prefix: string): Set<string> {
  const out = new Set<string>();
  for (const s of samples) {
    if (!s.name.startsWith(prefix)) continue;
    const labels = Object.entries(s.labels).filter(([k]) => k !== 'le').sort(([a], [b]) => a.localeCompare(b));
    out.add(`${s.name.replace(/_(bucket|sum|count)$/, '')} ${JSON.stringify(labels)}`);
  }
  return out;
}
