// With HAProxy, a backend healthy on its own address is not yet reachable
// through the VIP: HAProxy marks it up after its own checks pass. deploy waits
// for the VIP before using a service through it (Keystone's registration,
// Zun's API for retiring) and before declaring the deployment done.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until GET url answers 2xx; throws with the last answer at the deadline. */
export async function waitHttpOk(url: string, timeoutMs: number, intervalMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`${url} did not answer 2xx within ${Math.round(timeoutMs / 1000)} s (last: ${last})`);
    await sleep(intervalMs);
  }
}

/** The status HAProxy gives each server of a proxy (`UP`, `DOWN`, `UP 1/2` …), from its statistics CSV. */
export function serverStatus(csv: string, proxy: string): Record<string, string> {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const px = header.indexOf('pxname');
  const sv = header.indexOf('svname');
  const st = header.indexOf('status');
  const out: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    const name = c[sv] ?? '';
    if (c[px] === proxy && name !== 'FRONTEND' && name !== 'BACKEND') out[name] = c[st] ?? '';
  }
  return out;
}

/** Waits until HAProxy (statistics at `statsUrl`) counts each of `servers` of `proxy` as UP. */
export async function waitServersUp(statsUrl: string, proxy: string, servers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, string> = {};
  for (;;) {
    try {
      const res = await fetch(`${statsUrl};csv`, { signal: AbortSignal.timeout(5000) });
      last = serverStatus(await res.text(), proxy);
      if (servers.every((s) => last[s] === 'UP')) return;
    } catch {
      // not answering yet
    }
    if (Date.now() >= deadline) throw new Error(`HAProxy does not count ${servers.join(', ')} of ${proxy} as up after ${Math.round(timeoutMs / 1000)} s (${JSON.stringify(last)})`);
    await sleep(500);
  }
}
