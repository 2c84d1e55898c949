import { type ServiceIdentifier } from 'inversify';
import { apiSection } from './api.options';
import { capsuleSection } from './capsule.options';
import { computeSection } from './compute.options';
import { conductorSection } from './conductor.options';
import { databaseSection } from './database.options';
import { defaultSection } from './default.options';
import { dockerSection } from './docker.options';
import { glanceSection } from './glance.options';
import { keystoneAuthtokenSection } from './keystone-authtoken.options';
import { type OptionKind, type Section, type SectionValues } from './option.dsl';
import { osloPolicySection } from './oslo-policy.options';
import { quotaSection } from './quota.options';
import { redisSection } from './redis.options';
import { schedulerSection } from './scheduler.options';
import { volumeSection } from './volume.options';
import { networkSection } from './network.options';
import { websocketProxySection } from './websocket-proxy.options';
import { metricsSection } from './metrics.options';

/** Every section zun-ts reads, in the order the sample file lists them. */
export const zunSections = [
  defaultSection,
  apiSection,
  databaseSection,
  redisSection,
  schedulerSection,
  computeSection,
  conductorSection,
  dockerSection,
  glanceSection,
  volumeSection,
  capsuleSection,
  networkSection,
  websocketProxySection,
  keystoneAuthtokenSection,
  quotaSection,
  osloPolicySection,
  metricsSection,
] as const;

type ConfOf<S extends readonly Section[]> = { readonly [X in S[number] as X['name']]: SectionValues<X> };

/** The loaded configuration: one property per section, one per option (snake_case names, typed). */
export type ZunConf = ConfOf<typeof zunSections>;

/** Injection token of the loaded {@link ZunConf}. */
export const ZUN_CONF: ServiceIdentifier<ZunConf> = Symbol.for('zun.ZunConf');
/** Name of a section of `ZunConf`. */
export type SectionName = keyof ZunConf;

/** Values of `[DEFAULT]`. */
export type DefaultConf = ZunConf['DEFAULT'];
/** Values of `[api]`. */
export type ApiConf = ZunConf['api'];
/** Values of `[database]`. */
export type DatabaseConf = ZunConf['database'];
/** Values of `[redis]`. */
export type RedisConf = ZunConf['redis'];
/** Values of `[scheduler]`. */
export type SchedulerConf = ZunConf['scheduler'];
/** Values of `[compute]`. */
export type ComputeConf = ZunConf['compute'];
/** Values of `[conductor]`. */
export type ConductorConf = ZunConf['conductor'];
/** Values of `[docker]`. */
export type DockerConf = ZunConf['docker'];
/** Values of `[glance]`. */
export type GlanceConf = ZunConf['glance'];
/** Values of `[network]`. */
export type NetworkConf = ZunConf['network'];

/** Values of `[volume]`. */
export type VolumeConf = ZunConf['volume'];
/** Values of `[capsule]`. */
export type CapsuleConf = ZunConf['capsule'];
/** Values of `[websocket_proxy]`. */
export type WebsocketProxyConf = ZunConf['websocket_proxy'];
/** Values of `[keystone_authtoken]`. */
export type KeystoneAuthtokenConf = ZunConf['keystone_authtoken'];
/** Values of `[quota]`. */
export type QuotaConf = ZunConf['quota'];
/** Values of `[metrics]`. */
export type MetricsConf = ZunConf['metrics'];
/** Values of `[oslo_policy]`. */
export type OsloPolicyConf = ZunConf['oslo_policy'];

/** One option as documentation sees it. */
export interface OptionDescription {
  name: string;
  kind: OptionKind;
  help: string;
  /** The default value (computed on this machine for machine-dependent defaults; `null` for secrets). */
  default: unknown;
  /** The default as the sample file writes it. */
  defaultText: string;
  secret: boolean;
  nullable: boolean;
  min?: number;
  max?: number;
  choices?: readonly string[];
  unit?: string;
}

/** One section as documentation sees it. */
export interface SectionDescription {
  name: SectionName;
  help: string;
  options: OptionDescription[];
}

/** Writes a value as it would appear in zun.conf. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '<None>';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** Every section and option with type, default and help (for the sample-file generator and docs). */
export function describeOptions(): SectionDescription[] {
  return zunSections.map((s: Section) => ({
    name: s.name as SectionName,
    help: s.help,
    options: Object.entries(s.options).map(([name, o]) => {
      const def = o.secret ? null : o.default();
      const d: OptionDescription = {
        name,
        kind: o.kind,
        help: o.help,
        default: def,
        defaultText: o.sampleDefault ?? formatValue(def),
        secret: o.secret,
        nullable: o.nullable,
      };
      if (o.min !== undefined) d.min = o.min;
      if (o.max !== undefined) d.max = o.max;
      if (o.choices !== undefined) d.choices = o.choices;
      if (o.unit !== undefined) d.unit = o.unit;
      return d;
    }),
  }));
}
