import { field, type ObjectDef } from './fields';

/** A project's override of one resource limit. `hard_limit` −1 or null means unlimited. */
export interface Quota {
  id: number;
  project_id: string;
  /** Usually one of QUOTA_RESOURCES. */
  resource: string;
  hard_limit: number | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const QuotaObject: ObjectDef<Quota, 'Quota'> = {
  name: 'Quota',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    project_id: field.string(),
    resource: field.string(),
    hard_limit: field.integer({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};

/** A named class's limit for one resource; only the `default` class is enforced. */
export interface QuotaClass {
  id: number;
  class_name: string;
  resource: string;
  hard_limit: number | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const QuotaClassObject: ObjectDef<QuotaClass, 'QuotaClass'> = {
  name: 'QuotaClass',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    class_name: field.string(),
    resource: field.string(),
    hard_limit: field.integer({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};
