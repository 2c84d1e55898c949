import { rpcQueueGauges } from '@zun-ts/metrics';
import { type Queue } from 'bullmq';

/** The queues this process serves: topic → its descriptor name (the label) and its queue. */
const served = new Map<string, { name: string; queue: Queue }>();

/** Messages waiting to be taken, and the enqueue time (ms) of the oldest of them, of one queue. */
export async function queueBacklog(queue: Queue): Promise<{ depth: number; oldestMs: number | null }> {
  const counts = await queue.getJobCounts('wait', 'prioritized');
  const depth = (counts['wait'] ?? 0) + (counts['prioritized'] ?? 0);
  if (depth === 0) return { depth, oldestMs: null };
  const [oldest] = await queue.getJobs(['wait', 'prioritized'], 0, 0, true);
  return { depth, oldestMs: oldest?.timestamp ?? null };
}

async function collect(set: (name: string, backlog: { depth: number; oldestMs: number | null }) => void): Promise<void> {
  await Promise.all(
    [...served.values()].map(async ({ name, queue }) => {
      try {
        set(name, await queueBacklog(queue));
      } catch {
        // Redis is unreachable: the gauge keeps its last value rather than failing the whole scrape.
      }
    }),
  );
}

/** Starts reporting the depth and oldest-message age of a queue this process serves (labelled by `name`, never the host). */
export function trackQueue(topic: string, name: string, queue: Queue): void {
  served.set(topic, { name, queue });
  rpcQueueGauges({
    depth: (g) => collect((n, b) => g.set({ topic: n }, b.depth)),
    age: (g) => collect((n, b) => g.set({ topic: n }, b.oldestMs === null ? 0 : Math.max(0, (Date.now() - b.oldestMs) / 1000))),
  });
}

/** Stops reporting a queue (its server closed). */
export function untrackQueue(topic: string): void {
  served.delete(topic);
}
