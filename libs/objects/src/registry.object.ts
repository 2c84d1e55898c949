import { field, type ObjectDef } from './fields';

/**
 * A private image registry a project pulls from (Zun's `registry` resource). `password` holds the sealed
 * form of the password (see SecretBox of @zun-ts/common), never the password itself; views show `***`.
 */
export interface Registry {
  id: number;
  uuid: string;
  name: string | null;
  /** `host[:port]` of the registry, e.g. `registry.example.com:5000`. */
  domain: string;
  username: string | null;
  /** Sealed password (`zun1:<key id>:…`), or null when the registry needs none. */
  password: string | null;
  project_id: string | null;
  user_id: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const RegistryObject: ObjectDef<Registry, 'Registry'> = {
  name: 'Registry',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    uuid: field.string(),
    name: field.string({ nullable: true }),
    domain: field.string(),
    username: field.string({ nullable: true }),
    password: field.string({ nullable: true }),
    project_id: field.string({ nullable: true }),
    user_id: field.string({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};
