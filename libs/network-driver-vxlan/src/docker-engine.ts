// The Docker engine's answers as the VXLAN driver reads them: a network's inspect, and its errors as the driver's.
import { InvalidNetworkSpec, type LocalEndpoint, NetworkDriverError, NetworkDriverUnavailable, PortConflict } from '@zun-ts/network-driver';

export interface DockerNetworkInfo {
  Id: string;
  Name: string;
  Internal?: boolean;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null } | null;
  Containers?: Record<string, { Name?: string; IPv4Address?: string; MacAddress?: string }> | null;
}

interface ModemError {
  statusCode?: number;
  json?: { message?: string } | string | null;
  code?: string;
  message?: string;
}

export function engineMessage(err: unknown): string {
  const e = err as ModemError;
  if (e.json && typeof e.json === 'object' && typeof e.json.message === 'string') return e.json.message;
  return String(e.message ?? err).replace(/^\(HTTP code \d+\) [^-]*- /, '');
}

export const statusOf = (err: unknown): number | null => (typeof (err as ModemError).statusCode === 'number' ? ((err as ModemError).statusCode as number) : null);

export function engineError(err: unknown, what: string): Error {
  if (err instanceof NetworkDriverError || err instanceof InvalidNetworkSpec || err instanceof PortConflict) return err;
  const status = statusOf(err);
  const message = `${what}: ${engineMessage(err)}`;
  if (status === null) return new NetworkDriverUnavailable(message, { cause: err });
  return new NetworkDriverError(message, { cause: err });
}

/** The endpoints the engine lists on a network. */
export function endpointsOf(net: DockerNetworkInfo): LocalEndpoint[] {
  return Object.entries(net.Containers ?? {}).map(([id, c]) => ({
    containerId: id, containerName: c.Name ?? '', ip: (c.IPv4Address ?? '').split('/')[0] ?? '', macAddress: c.MacAddress ?? '',
  }));
}
