import { ComputeNodeNotFound, ContainerNotFound, InvalidValue } from '@zun-ts/common';
import { type JsonObject } from '@zun-ts/objects';
import { exec, isForeignKeyViolation, rollback, select, sqlDate, type SqlValue, type TxBody } from './sql-engine';
import { isUniqueViolation } from './zun-service.repository';

/** What a container asks of a host: cpu (cores, fractional), memory (MiB) and disk (GiB). */
export interface ClaimResources {
  cpu: number;
  memory: number;
  disk: number;
}

/**
 * Allocation ratios: a host admits `used + requested <= total × ratio` per resource. A missing or null ratio
 * leaves that resource unchecked, as Zun does when the scheduler wrote no limit.
 */
export interface ClaimLimits {
  cpuRatio?: number | null;
  ramRatio?: number | null;
  diskRatio?: number | null;
}

/** Result of a per-container claim. */
export interface ClaimOutcome {
  /** The container now holds a claim on the requested host (made by this call or an earlier one). */
  claimed: boolean;
  /** The claim existed before this call (a redelivery): nothing was counted again. */
  alreadyClaimed: boolean;
  /** The host the container's active claim is on, or null when it holds none. */
  hostname: string | null;
}

/** Float sums of fractional cpus must not fail a claim that fits exactly. */
const CPU_EPSILON = 1e-9;

/** Throws InvalidValue unless the amounts are finite, non-negative, memory and disk whole. */
export function checkResources(r: ClaimResources): void {
  const ok = (v: number, whole: boolean): boolean => Number.isFinite(v) && v >= 0 && (!whole || Number.isInteger(v));
  if (!ok(r.cpu, false) || !ok(r.memory, true) || !ok(r.disk, true)) {
    throw new InvalidValue(`Invalid resource amounts: cpu ${r.cpu}, memory ${r.memory}, disk ${r.disk}`);
  }
}

/**
 * The race-free claim: one UPDATE that adds the amounts only while every checked resource still fits, so
 * concurrent claims against one host can never overcommit it. Resources requested as 0 are not checked.
 */
export function claimStatement(hostname: string, r: ClaimResources, limits: ClaimLimits, now: Date): { sql: string; params: SqlValue[] } {
  const params: SqlValue[] = [r.cpu, r.memory, r.disk, sqlDate(now), hostname];
  const where = ['`hostname` = ?'];
  if (r.cpu > 0 && limits.cpuRatio !== undefined && limits.cpuRatio !== null) {
    where.push(`\`cpu_used\` + ? <= \`cpus\` * ? + ${CPU_EPSILON}`);
    params.push(r.cpu, limits.cpuRatio);
  }
  if (r.memory > 0 && limits.ramRatio !== undefined && limits.ramRatio !== null) {
    where.push('`mem_used` + ? <= `mem_total` * ?');
    params.push(r.memory, limits.ramRatio);
  }
  if (r.disk > 0 && limits.diskRatio !== undefined && limits.diskRatio !== null) {
    where.push('`disk_used` + ? <= `disk_total` * ?');
    params.push(r.disk, limits.diskRatio);
  }
  return {
    sql:
      'UPDATE `compute_node` SET `cpu_used` = `cpu_used` + ?, `mem_used` = `mem_used` + ?, `disk_used` = `disk_used` + ?, ' +
      `\`total_containers\` = \`total_containers\` + 1, \`updated_at\` = ? WHERE ${where.join(' AND ')}`,
    params,
  };
}

/** The inverse of {@link claimStatement}; counters never go below 0. */
export function releaseStatement(hostname: string, r: ClaimResources, now: Date): { sql: string; params: SqlValue[] } {
  return {
    sql:
      'UPDATE `compute_node` SET ' +
      `\`cpu_used\` = CASE WHEN \`cpu_used\` - ? > ${CPU_EPSILON} THEN \`cpu_used\` - ? ELSE 0 END, ` +
      '`mem_used` = CASE WHEN `mem_used` > ? THEN `mem_used` - ? ELSE 0 END, ' +
      '`disk_used` = CASE WHEN `disk_used` > ? THEN `disk_used` - ? ELSE 0 END, ' +
      '`total_containers` = CASE WHEN `total_containers` > 0 THEN `total_containers` - 1 ELSE 0 END, ' +
      '`updated_at` = ? WHERE `hostname` = ?',
    params: [r.cpu, r.cpu, r.memory, r.memory, r.disk, r.disk, sqlDate(now), hostname],
  };
}

/**
 * Transaction body of a per-container claim. The claim row goes in first: its unique key on the container
 * makes a second, concurrent or redelivered, claim of the same container wait for the first and then find
 * it, so the host is charged at most once. A released claim is re-armed (the container is claimed again,
 * e.g. when rescheduled). When the host has no room, everything is rolled back.
 */
export function* claimForContainerTx(
  containerUuid: string,
  hostname: string,
  r: ClaimResources,
  limits: ClaimLimits,
  now: Date,
  build: JsonObject | null = null,
): TxBody<ClaimOutcome> {
  const stamp = sqlDate(now);
  const buildText = build === null ? null : JSON.stringify(build);
  let fresh = true;
  try {
    yield* exec(
      'INSERT INTO `container_claim` (`container_uuid`, `hostname`, `cpu`, `memory`, `disk`, `released_at`, `build`, `created_at`, `updated_at`) ' +
        'VALUES (?, ?, ?, ?, ?, NULL, ?, ?, NULL)',
      [containerUuid, hostname, r.cpu, r.memory, r.disk, buildText, stamp],
    );
  } catch (e) {
    if (isForeignKeyViolation(e)) throw new ContainerNotFound(`Container ${containerUuid} could not be found.`);
    if (!isUniqueViolation(e)) throw e;
    fresh = false;
  }
  if (!fresh) {
    // A plain read: a locking one here would make every waiter that lost the insert race (each holding a
    // shared lock on the row) ask to upgrade it, which InnoDB resolves by killing all but one.
    const readExisting = (): TxBody<ClaimOutcome | null> => existingClaim(containerUuid, hostname);
    const existing = yield* readExisting();
    if (existing) return existing;
    // Released before: re-arm it. Conditional, so of two racing re-arms one proceeds, the other reports it.
    const rearmed = yield* exec(
      'UPDATE `container_claim` SET `hostname` = ?, `cpu` = ?, `memory` = ?, `disk` = ?, `released_at` = NULL, `build` = ?, `updated_at` = ? ' +
        'WHERE `container_uuid` = ? AND `released_at` IS NOT NULL',
      [hostname, r.cpu, r.memory, r.disk, buildText, stamp, containerUuid],
    );
    if (rearmed.affected === 0) {
      const current = yield* readExisting();
      if (current) return current;
      throw new ContainerNotFound(`Container ${containerUuid} could not be found.`);
    }
  }
  const claim = claimStatement(hostname, r, limits, now);
  const res = yield* exec(claim.sql, claim.params);
  if (res.affected === 0) {
    const [node] = yield* select('SELECT `id` FROM `compute_node` WHERE `hostname` = ?', [hostname]);
    if (!node) throw new ComputeNodeNotFound(`Compute node ${hostname} could not be found.`);
    return rollback({ claimed: false, alreadyClaimed: false, hostname: null } satisfies ClaimOutcome);
  }
  return { claimed: true, alreadyClaimed: false, hostname };
}

/** The container's active claim as an outcome for a claim on `hostname`; null when it has none (released or absent). */
function* existingClaim(containerUuid: string, hostname: string): TxBody<ClaimOutcome | null> {
  const [row] = yield* select<{ hostname: string; released_at: unknown }>(
    'SELECT `hostname`, `released_at` FROM `container_claim` WHERE `container_uuid` = ?',
    [containerUuid],
  );
  if (!row || row.released_at !== null) return null;
  return { claimed: row.hostname === hostname, alreadyClaimed: true, hostname: row.hostname };
}

/**
 * Transaction body releasing a container's active claim: marking the row released is the guard, so only one of
 * several (redelivered or concurrent) releases gives the resources back. Returns whether this one did.
 */
export function* releaseForContainerTx(containerUuid: string, now: Date): TxBody<boolean> {
  const stamp = sqlDate(now);
  const res = yield* exec(
    'UPDATE `container_claim` SET `released_at` = ?, `updated_at` = ? WHERE `container_uuid` = ? AND `released_at` IS NULL',
    [stamp, stamp, containerUuid],
  );
  if (res.affected === 0) return false;
  const [c] = yield* select<{ hostname: string; cpu: unknown; memory: unknown; disk: unknown }>(
    'SELECT `hostname`, `cpu`, `memory`, `disk` FROM `container_claim` WHERE `container_uuid` = ?',
    [containerUuid],
  );
  if (!c) return false;
  const rel = releaseStatement(c.hostname, { cpu: Number(c.cpu), memory: Number(c.memory), disk: Number(c.disk) }, now);
  yield* exec(rel.sql, rel.params);
  return true;
}
