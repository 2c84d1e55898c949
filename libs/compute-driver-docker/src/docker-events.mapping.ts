import { DRIVER_EVENT_TYPES, type DriverEvent, type DriverEventType, uuidFromContainerName } from './driver-contract';

/** One message of Docker's `GET /events` stream (the fields used here). */
export interface DockerEventMessage {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

/** Docker event names to ask the engine for (`health_status` matches `health_status: healthy` etc.). */
export const DOCKER_EVENT_FILTER: readonly string[] = DRIVER_EVENT_TYPES;

/**
 * The driver event for a Docker event of a `zun-<uuid>` container, or null for anything else (other
 * containers, other object types, actions the compute does not care about).
 */
export function toDriverEvent(m: DockerEventMessage): DriverEvent | null {
  if (m.Type !== 'container') return null;
  const action = m.Action ?? m.status ?? '';
  const [verb, detail] = action.split(':').map((p) => p.trim());
  if (!verb || !(DRIVER_EVENT_TYPES as readonly string[]).includes(verb)) return null;
  const attrs = m.Actor?.Attributes ?? {};
  const uuid = uuidFromContainerName(attrs.name ?? '');
  if (!uuid) return null;
  const time = m.timeNano ? new Date(Math.floor(m.timeNano / 1e6)) : new Date((m.time ?? 0) * 1000);
  const exit = attrs.exitCode;
  return {
    type: verb as DriverEventType,
    uuid,
    container_id: m.Actor?.ID ?? m.id ?? '',
    time,
    exit_code: verb === 'die' && exit !== undefined && /^-?\d+$/.test(exit) ? Number(exit) : null,
    health_status: verb === 'health_status' ? (detail ?? null) : null,
  };
}

/**
 * Splits a chunked stream of newline-separated JSON messages; keeps an unfinished tail between chunks.
 */
export class JsonLineSplitter {
  private tail = '';

  /** Messages completed by this chunk; lines that are not JSON are skipped. */
  push(chunk: Buffer | string): DockerEventMessage[] {
    this.tail += chunk.toString();
    const lines = this.tail.split('\n');
    this.tail = lines.pop() ?? '';
    const out: DockerEventMessage[] = [];
    for (const line of lines) {
      const t = line.trim();
      if (!t) continue;
      try {
        out.push(JSON.parse(t) as DockerEventMessage);
      } catch {
        // a torn or foreign line: nothing useful to do with it
      }
    }
    return out;
  }
}
