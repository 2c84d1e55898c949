import { buildMetrics, oneOf } from '@zun-ts/metrics';
import { type Container, type ContainerStatus } from '@zun-ts/objects';

/** The statuses a build can end in, as outcome labels. */
const ENDS = ['running', 'created', 'stopped', 'error'] as const;

/**
 * A container left `Creating` (counted once: callers record only after their conditional update from `Creating`
 * succeeded, so a redelivered message finds the record moved on and records nothing). `Running` also records the
 * time since the API accepted the container.
 */
export function recordBuildEnd(before: Pick<Container, 'status' | 'created_at'>, after: ContainerStatus, now = Date.now()): void {
  if (before.status !== 'Creating' || after === 'Creating') return;
  const m = buildMetrics();
  m.builds.inc({ outcome: oneOf(after.toLowerCase(), ENDS) });
  const accepted = new Date(before.created_at).getTime();
  if (after === 'Running' && Number.isFinite(accepted)) m.toRunning.observe(Math.max(0, (now - accepted) / 1000));
}

/** A build moved to another host after a failure. */
export function recordReschedule(): void {
  buildMetrics().builds.inc({ outcome: 'rescheduled' });
}
