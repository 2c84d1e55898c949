import { Counter, Gauge, Histogram, register, type Registry } from 'prom-client';

/** Every zun-ts metric name starts with this. */
export const METRIC_PREFIX = 'zun_';

/** The registry a process's metrics live in (prom-client's default one, so cluster aggregation finds it). */
export const metricsRegistry: Registry = register;

/** Latency buckets in seconds, from 1 ms (a local call) to 2 minutes (a slow image pull). */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** How gauges of several worker processes combine: summed (open sessions) or one value (a shared queue's depth). */
export type GaugeAggregation = 'sum' | 'max';

function checkName(name: string, suffix?: string): void {
  if (!name.startsWith(METRIC_PREFIX)) throw new TypeError(`metric ${name} must start with ${METRIC_PREFIX}`);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`metric ${name} is not a snake_case Prometheus name`);
  if (suffix && !name.endsWith(suffix)) throw new TypeError(`metric ${name} must end with ${suffix}`);
}

/** A counter (name ends in `_total`); defining the same name again returns the first one. */
export function counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  checkName(name, '_total');
  const known = metricsRegistry.getSingleMetric(name);
  if (known) return known as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [metricsRegistry] });
}

/** A histogram of durations (name ends in `_seconds`); defining the same name again returns the first one. */
export function histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets = LATENCY_BUCKETS): Histogram<L> {
  checkName(name, '_seconds');
  const known = metricsRegistry.getSingleMetric(name);
  if (known) return known as Histogram<L>;
  return new Histogram<L>({ name, help, labelNames, buckets, registers: [metricsRegistry] });
}

/**
 * A gauge; `collect` (if given) sets its values when it is scraped. Defining the same name again returns
 * the first one.
 */
export function gauge<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  opts: { aggregation?: GaugeAggregation; collect?: (g: Gauge<L>) => Promise<void> | void } = {},
): Gauge<L> {
  checkName(name);
  const known = metricsRegistry.getSingleMetric(name);
  if (known) return known as Gauge<L>;
  const collect = opts.collect;
  return new Gauge<L>({
    name,
    help,
    labelNames,
    aggregator: opts.aggregation ?? 'sum',
    registers: [metricsRegistry],
    ...(collect ? { collect(this: Gauge<L>) { return collect(this); } } : {}),
  });
}

/** Seconds since `startNs` (a `process.hrtime.bigint()` value). */
export function secondsSince(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}
