/**
 * A small typed vocabulary for declaring options once: type, default and help live
 * together, and the `ZunConf` type is inferred from the declarations.
 */

/** The value types an option can have (the names the sample file shows). */
export type OptionKind = 'string' | 'integer' | 'float' | 'boolean' | 'port' | 'list' | 'enum';

/** Result of turning a raw string into a typed value. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** One declared option. `T` is the type of its value in `ZunConf`. */
export interface Option<T> {
  readonly kind: OptionKind;
  readonly help: string;
  /** Computed on each load, so machine-dependent defaults (host name, CPU count) stay fresh. */
  readonly default: () => T;
  /** Shown in the sample file instead of the computed default, for machine-dependent defaults. */
  readonly sampleDefault?: string;
  /** Hidden in logs and error messages. */
  readonly secret: boolean;
  /** `null` is a valid value (an empty string in a file or the environment means `null`). */
  readonly nullable: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  /** Unit of the value, e.g. `seconds` or `bytes` (documentation only). */
  readonly unit?: string;
  /** Turns an already interpolated raw value into the typed value. */
  parse(raw: string): ParseResult<T>;
}

/** Any option, whatever its value type. */
export type AnyOption = Option<unknown>;
/** Options of one section, by name. */
export type OptionMap = Readonly<Record<string, AnyOption>>;

/** A section (INI group) and its options. */
export interface Section<N extends string = string, O extends OptionMap = OptionMap> {
  readonly name: N;
  readonly help: string;
  readonly options: O;
}

/** Value type of an option. */
export type ValueOf<O> = O extends Option<infer T> ? T : never;
/** Values of one section, typed from its declaration. */
export type SectionValues<S extends Section> = { readonly [K in keyof S['options']]: ValueOf<S['options'][K]> };

interface Common {
  help: string;
  sampleDefault?: string;
  unit?: string;
}
/** Extra validation; returns the reason a value is bad, or nothing. */
type Check<T> = (value: T) => string | undefined;
type Default<T> = T | (() => T);

function lazy<T>(d: Default<T>): () => T {
  return typeof d === 'function' ? (d as () => T) : () => d;
}

function show(raw: string): string {
  return `'${raw}'`;
}

function withCheck<T>(value: T, check?: Check<T>): ParseResult<T> {
  const reason = check?.(value);
  return reason === undefined ? { ok: true, value } : { ok: false, reason };
}

/** Makes `null` (written as an empty value) the default and a valid value. */
function nullable<T>(o: Option<T>): Option<T | null> {
  return { ...o, nullable: true, default: () => null, parse: (raw) => (raw === '' ? { ok: true, value: null } : o.parse(raw)) };
}

/** Declares a section. */
export function section<const N extends string, const O extends OptionMap>(name: N, help: string, options: O): Section<N, O> {
  return { name, help, options };
}

/** A string option; `default: null` makes it optional (`string | null`). */
export function str(o: Common & { default: Default<string>; check?: Check<string> }): Option<string>;
export function str(o: Common & { default: null; check?: Check<string> }): Option<string | null>;
export function str(o: Common & { default: Default<string> | null; check?: Check<string> }): Option<string> | Option<string | null> {
  const d = o.default;
  const base: Option<string> = {
    kind: 'string',
    help: o.help,
    sampleDefault: o.sampleDefault,
    unit: o.unit,
    secret: false,
    nullable: false,
    default: d === null ? () => '' : lazy(d),
    parse: (raw) => withCheck(raw, o.check),
  };
  return d === null ? nullable(base) : base;
}

function integer(kind: 'integer' | 'port', o: Common & { default: Default<number>; min?: number; max?: number }): Option<number> {
  const { min, max } = o;
  return {
    kind,
    help: o.help,
    sampleDefault: o.sampleDefault,
    unit: o.unit,
    secret: false,
    nullable: false,
    min,
    max,
    default: lazy(o.default),
    parse(raw) {
      if (!/^[+-]?\d+$/.test(raw)) return { ok: false, reason: `${show(raw)} is not an integer` };
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) return { ok: false, reason: `${show(raw)} is too large` };
      if (kind === 'port' && (n < 0 || n > 65535)) return { ok: false, reason: `${n} is not a valid port (0-65535)` };
      if (min !== undefined && n < min) return { ok: false, reason: `${n} is below the minimum ${min}` };
      if (max !== undefined && n > max) return { ok: false, reason: `${n} is above the maximum ${max}` };
      return { ok: true, value: n };
    },
  };
}

/** A whole number, optionally bounded. */
export function int(o: Common & { default: Default<number>; min?: number; max?: number }): Option<number> {
  return integer('integer', o);
}

/** A TCP port, 0..65535. */
export function port(o: Common & { default: Default<number> }): Option<number> {
  return integer('port', { ...o, min: 0, max: 65535 });
}

/** A decimal number, optionally bounded. */
export function float(o: Common & { default: Default<number>; min?: number; max?: number }): Option<number> {
  const { min, max } = o;
  return {
    kind: 'float',
    help: o.help,
    sampleDefault: o.sampleDefault,
    unit: o.unit,
    secret: false,
    nullable: false,
    min,
    max,
    default: lazy(o.default),
    parse(raw) {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return { ok: false, reason: `${show(raw)} is not a number` };
      const n = Number(raw);
      if (min !== undefined && n < min) return { ok: false, reason: `${n} is below the minimum ${min}` };
      if (max !== undefined && n > max) return { ok: false, reason: `${n} is above the maximum ${max}` };
      return { ok: true, value: n };
    },
  };
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/** Parses true/false, yes/no, on/off, 1/0 (any case); `undefined` for anything else. */
export function parseBool(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}

/** A boolean: true/false, yes/no, on/off, 1/0, case-insensitive. */
export function bool(o: Common & { default: Default<boolean> }): Option<boolean> {
  return {
    kind: 'boolean',
    help: o.help,
    sampleDefault: o.sampleDefault,
    unit: o.unit,
    secret: false,
    nullable: false,
    default: lazy(o.default),
    parse(raw) {
      const b = parseBool(raw);
      return b === undefined ? { ok: false, reason: `${show(raw)} is not a boolean (true/false, yes/no, on/off, 1/0)` } : { ok: true, value: b };
    },
  };
}

/** A comma-separated list of strings; items are trimmed and empty items dropped. */
export function list(o: Common & { default: Default<readonly string[]>; check?: Check<readonly string[]> }): Option<readonly string[]> {
  return {
    kind: 'list',
    help: o.help,
    sampleDefault: o.sampleDefault,
    unit: o.unit,
    secret: false,
    nullable: false,
    default: lazy(o.default),
    parse: (raw) => withCheck(raw.split(',').map((s) => s.trim()).filter((s) => s !== ''), o.check),
  };
}

/** One of a fixed set of strings (case-sensitive). */
export function enumOf<const C extends readonly [string, ...string[]]>(choices: C, o: Common & { default: C[number] }): Option<C[number]> {
  return {
    kind: 'enum',
    help: o.help,
    sampleDefault: o.sampleDefault,
    unit: o.unit,
    secret: false,
    nullable: false,
    choices,
    default: () => o.default,
    parse(raw) {
      const hit = choices.find((c) => c === raw);
      return hit === undefined ? { ok: false, reason: `${show(raw)} is not one of: ${choices.join(', ')}` } : { ok: true, value: hit };
    },
  };
}

/** Marks an option as secret: its value never appears in logs, errors or the sample file. */
export function secret<T>(o: Option<T>): Option<T> {
  return { ...o, secret: true };
}
