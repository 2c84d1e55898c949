import { type ContainerStatus } from '@zun-ts/objects';
import { type ContainerState } from './container-driver';

/**
 * The status Zun should store, given what it has stored (`current`) and what the engine reports.
 * Zun's sync rule: a container that never started and has no engine error only moves `Creating` →
 * `Created`; any other stored status (e.g. `Error`, `Rebuilding`, `Restarting`) is kept.
 */
export function reconcileStatus(
  current: ContainerStatus,
  observed: Pick<ContainerState, 'status' | 'started' | 'error'>,
): ContainerStatus {
  if (!observed.started && observed.status === 'Created' && !observed.error) {
    return current === 'Creating' ? 'Created' : current;
  }
  return observed.status;
}

/**
 * Zun's "<ago>" text: the largest non-zero unit of `now − then` (`3 days`, `2 hours`, `5 mins`,
 * `12 seconds`); `''` for the engine's zero time (never happened); null for less than a second.
 */
export function formatAgo(then: Date | null, now: Date = new Date()): string | null {
  if (!then || then.getUTCFullYear() <= 1) return '';
  const secs = Math.max(0, Math.floor((now.getTime() - then.getTime()) / 1000));
  const days = Math.floor(secs / 86400);
  const hours = Math.floor((secs % 86400) / 3600);
  const mins = Math.floor((secs % 3600) / 60);
  if (days) return `${days} days`;
  if (hours) return `${hours} hours`;
  if (mins) return `${mins} mins`;
  if (secs) return `${secs} seconds`;
  return null;
}
