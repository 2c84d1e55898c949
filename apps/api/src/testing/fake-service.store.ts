import { ZunServiceNotFound } from '@zun-ts/common';
import { type ZunService } from '@zun-ts/objects';
import { type ServiceStore } from '../api.tokens';

/** In-memory zun_service rows for unit tests. */
export class FakeServiceStore implements ServiceStore {
  rows: ZunService[] = [];
  private nextId = 1;

  add(partial: Partial<ZunService> & Pick<ZunService, 'host' | 'binary'>): ZunService {
    const row: ZunService = {
      id: this.nextId++,
      topic: partial.binary,
      disabled: false,
      disabled_reason: null,
      forced_down: false,
      report_count: 0,
      last_seen_up: null,
      availability_zone: null,
      created_at: new Date(),
      updated_at: null,
      ...partial,
    };
    this.rows.push(row);
    return row;
  }

  list(): Promise<ZunService[]> {
    return Promise.resolve([...this.rows].sort((a, b) => a.id - b.id));
  }

  update(host: string, binary: string, patch: Partial<Pick<ZunService, 'disabled' | 'disabled_reason' | 'forced_down'>>): Promise<ZunService> {
    const row = this.rows.find((r) => r.host === host && r.binary === binary);
    if (!row) return Promise.reject(new ZunServiceNotFound(host, binary));
    Object.assign(row, patch, { updated_at: new Date() });
    return Promise.resolve({ ...row });
  }

  delete(host: string, binary: string): Promise<void> {
    const i = this.rows.findIndex((r) => r.host === host && r.binary === binary);
    if (i < 0) return Promise.reject(new ZunServiceNotFound(host, binary));
    this.rows.splice(i, 1);
    return Promise.resolve();
  }
}
