import { ZunServiceNotFound } from '@zun-ts/common';
import { type ServiceRegistry, type ZunService } from '@zun-ts/objects';

/**
 * In-memory {@link ServiceRegistry} for unit tests. Queue errors in
 * `registerErrors` / `heartbeatErrors` to make the next calls fail.
 */
export class FakeServiceRegistry implements ServiceRegistry {
  readonly rows = new Map<string, ZunService>();
  readonly calls: { op: 'register' | 'heartbeat'; host: string; binary: string; at: number }[] = [];
  registerErrors: unknown[] = [];
  heartbeatErrors: unknown[] = [];
  private nextId = 1;

  async register(s: { host: string; binary: string; topic: string; availability_zone: string | null }): Promise<ZunService> {
    this.calls.push({ op: 'register', host: s.host, binary: s.binary, at: Date.now() });
    const err = this.registerErrors.shift();
    if (err !== undefined) throw err;
    const key = `${s.host}/${s.binary}`;
    const now = new Date();
    const existing = this.rows.get(key);
    const row: ZunService = existing
      ? { ...existing, topic: s.topic, last_seen_up: now, updated_at: now }
      : {
          id: this.nextId++, host: s.host, binary: s.binary, topic: s.topic, disabled: false, disabled_reason: null,
          forced_down: false, report_count: 0, last_seen_up: now, availability_zone: s.availability_zone,
          created_at: now, updated_at: null,
        };
    this.rows.set(key, row);
    return row;
  }

  async heartbeat(host: string, binary: string): Promise<void> {
    this.calls.push({ op: 'heartbeat', host, binary, at: Date.now() });
    const err = this.heartbeatErrors.shift();
    if (err !== undefined) throw err;
    const row = this.rows.get(`${host}/${binary}`);
    if (!row) throw new ZunServiceNotFound(host, binary);
    row.report_count++;
    row.last_seen_up = new Date();
  }

  count(op: 'register' | 'heartbeat'): number {
    return this.calls.filter((c) => c.op === op).length;
  }
}
