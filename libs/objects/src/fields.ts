/** A JSON value, as it crosses RPC inside an envelope. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * Wire types of object fields. `dict` and `list` are JSON documents (stored as TEXT JSON by the DB layer);
 * `datetime` travels as an ISO-8601 UTC string and is a `Date` in memory.
 */
export type FieldType = 'integer' | 'float' | 'string' | 'boolean' | 'datetime' | 'dict' | 'list';

/** How one field of a versioned object is declared. */
export interface FieldSpec<K extends FieldType = FieldType, N extends boolean = boolean> {
  readonly type: K;
  readonly nullable: N;
  /** Allowed values of a `string` field (a closed enum). */
  readonly values?: readonly string[];
  /**
   * Used when a peer running an older minor version sent no value. A field added in a minor version
   * must be nullable (then it reads as null) or carry a default.
   */
  readonly default?: string | number | boolean | null;
}

type KindOf<T> = NonNullable<T> extends Date
  ? 'datetime'
  : NonNullable<T> extends boolean
    ? 'boolean'
    : NonNullable<T> extends number
      ? 'integer' | 'float'
      : NonNullable<T> extends string
        ? 'string'
        : NonNullable<T> extends readonly unknown[]
          ? 'list'
          : 'dict';

/**
 * The field table of an object type: every property of `T` declared once, with a wire type that matches its
 * TypeScript type and `nullable` exactly when `T[K]` admits null. Checked at compile time.
 */
export type FieldTable<T> = {
  readonly [K in keyof T]-?: FieldSpec<KindOf<T[K]>, null extends T[K] ? true : false>;
};

interface FieldOpts<N extends boolean> {
  nullable?: N;
  default?: string | number | boolean | null;
}

function make<K extends FieldType>(type: K) {
  return <N extends boolean = false>(opts: FieldOpts<N> = {}): FieldSpec<K, NoInfer<N>> => {
    const spec: { type: K; nullable: N; default?: string | number | boolean | null } = {
      type,
      nullable: (opts.nullable ?? false) as N,
    };
    if (opts.default !== undefined) spec.default = opts.default;
    return spec;
  };
}

/** Builders for field declarations: `field.string({ nullable: true })`. */
export const field = {
  integer: make('integer'),
  float: make('float'),
  string: make('string'),
  boolean: make('boolean'),
  datetime: make('datetime'),
  dict: make('dict'),
  list: make('list'),
  /** A string restricted to `values`. */
  enum<N extends boolean = false>(values: readonly string[], opts: FieldOpts<N> = {}): FieldSpec<'string', NoInfer<N>> {
    return { ...make('string')(opts), values };
  },
};

/** A versioned object type: its wire name, `VERSION` ("major.minor") and declared fields. */
export interface ObjectDef<T, N extends string = string> {
  readonly name: N;
  /** Bump the minor for compatible additions, the major for anything an older reader cannot handle. */
  readonly VERSION: string;
  readonly fields: FieldTable<T>;
}
