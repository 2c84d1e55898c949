import { EntitySchema, type EntitySchemaColumnOptions, type EntitySchemaOptions, type ValueTransformer } from 'typeorm';

// Column helpers shared by the entity files (entities.ts, network.entities.ts).

/** JSON documents live in TEXT columns on every engine (portable, and what Zun does). */
export const jsonText: ValueTransformer = {
  to: (v: unknown) => (v === null || v === undefined ? v : JSON.stringify(v)),
  from: (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v),
};

export const col = {
  id: (): EntitySchemaColumnOptions => ({ type: 'integer', primary: true, generated: 'increment' }),
  varchar: (nullable: boolean, length = 255): EntitySchemaColumnOptions => ({ type: 'varchar', length, nullable }),
  text: (): EntitySchemaColumnOptions => ({ type: 'text', nullable: true }),
  json: (): EntitySchemaColumnOptions => ({ type: 'text', nullable: true, transformer: jsonText }),
  int: (nullable: boolean, dflt?: number): EntitySchemaColumnOptions => ({ type: 'integer', nullable, default: dflt }),
  double: (nullable: boolean, dflt?: number): EntitySchemaColumnOptions => ({ type: 'double', nullable, default: dflt }),
  bool: (): EntitySchemaColumnOptions => ({ type: 'boolean', width: 1, nullable: false, default: false }),
  datetime: (nullable: boolean): EntitySchemaColumnOptions => ({ type: 'datetime', precision: 6, nullable }),
};

export type Columns<T> = { [K in keyof T]-?: EntitySchemaColumnOptions };

export function entity<T>(
  name: string,
  tableName: string,
  columns: Columns<T>,
  extra: Pick<EntitySchemaOptions<T>, 'indices' | 'foreignKeys'> = {},
): EntitySchema<T> {
  return new EntitySchema<T>({ name, tableName, columns, ...extra });
}

export const stamps = { created_at: col.datetime(false), updated_at: col.datetime(true) };
