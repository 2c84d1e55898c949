/**
 * What claiming one host came to: the container placed (on `placed`: the host claimed, or the one an earlier copy of
 * the build claimed), the host refused it (full, or gone since the scheduler looked), or the build is over (the
 * container went away, or the scheduler's answer ended it).
 */
export type ClaimTry = { placed: string } | 'refused' | 'dropped';

/** Claims the hosts of one selection in order until one takes the container; 'refused' when none did. */
export async function claimOneOf(hosts: readonly string[], claim: (host: string) => Promise<ClaimTry>): Promise<ClaimTry> {
  for (const host of hosts) {
    const outcome = await claim(host);
    if (outcome !== 'refused') return outcome;
  }
  return 'refused';
}

/** What {@link selectAndClaim} came to, with the number of scheduler answers it took. */
export interface Placement {
  outcome: ClaimTry;
  selects: number;
  /** The hosts that refused a claim (not counted as attempts of the build). */
  refused: string[];
}

/**
 * The conductor's placement of one container: ask the scheduler (`select`, given the hosts refused so far, to ask
 * without them), then claim its hosts in order. A decision returns only the best `[scheduler] hosts_per_decision`
 * hosts, so when every one of them is full by the time of the claim (other builds took them first) the scheduler is
 * asked again without them, until a claim succeeds, the scheduler offers no host it has not offered already
 * ('refused'), or `select` answers null (it has ended the build: no valid host …; 'dropped'). The refused hosts are
 * not attempts of the build: a reschedule after a failed create still has its `max_attempts`.
 */
export async function selectAndClaim(
  select: (refused: readonly string[]) => Promise<string[] | null>,
  claim: (host: string) => Promise<ClaimTry>,
): Promise<Placement> {
  // Every host offered so far refused (a claim is made on each offered host until one takes it), in offer order.
  const refused = new Set<string>();
  for (let selects = 1; ; selects++) {
    const hosts = await select([...refused]);
    if (hosts === null) return { outcome: 'dropped', selects, refused: [...refused] };
    const fresh = hosts.filter((h) => !refused.has(h));
    if (!fresh.length) return { outcome: 'refused', selects, refused: [...refused] };
    const outcome = await claimOneOf(fresh, claim);
    if (outcome !== 'refused') return { outcome, selects, refused: [...refused] };
    for (const h of fresh) refused.add(h);
  }
}
