import { adminContext } from '@zun-ts/common';
import { type ContainerDriver, DRIVER_EVENT_TYPES, type DriverEvent } from '@zun-ts/compute-driver';
import { codeNameLabel, computeContainersGauge, dockerMetrics, oneOf, secondsSince } from '@zun-ts/metrics';
import { CONTAINER_STATUSES } from '@zun-ts/objects';

/**
 * The driver with every asynchronous operation timed (`zun_compute_docker_operation_duration_seconds`, labelled by
 * the driver method's name) and the lag of its event stream measured. Anything else passes through untouched.
 */
export function measuredDriver<D extends ContainerDriver>(driver: D): D {
  const m = dockerMetrics();
  return new Proxy(driver, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === 'events') {
        return (onEvent: (e: DriverEvent) => void, ...rest: unknown[]) =>
          fn.call(target, (e: DriverEvent) => {
            const lag = (Date.now() - e.time.getTime()) / 1000;
            if (Number.isFinite(lag)) m.eventLag.observe({ type: oneOf(e.type, DRIVER_EVENT_TYPES) }, Math.max(0, lag));
            onEvent(e);
          }, ...rest);
      }
      const operation = codeNameLabel(prop);
      return (...args: unknown[]) => {
        const start = process.hrtime.bigint();
        const out = fn.apply(target, args);
        if (!(out instanceof Promise)) return out;
        return out.then(
          (v: unknown) => {
            m.duration.observe({ operation, outcome: 'ok' }, secondsSince(start));
            return v;
          },
          (err: unknown) => {
            m.duration.observe({ operation, outcome: 'error' }, secondsSince(start));
            throw err;
          },
        );
      };
    },
  });
}

/** Reports `zun_compute_containers` by status from the engine's list when scraped (every status, 0 when none). */
export function reportContainersByStatus(driver: Pick<ContainerDriver, 'list'>): void {
  computeContainersGauge(async (g) => {
    const counts = new Map<string, number>(CONTAINER_STATUSES.map((s) => [s, 0]));
    for (const c of await driver.list(adminContext())) {
      const status = oneOf(c.status, CONTAINER_STATUSES);
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
    for (const [status, n] of counts) g.set({ status }, n);
  });
}
