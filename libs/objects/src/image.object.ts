import { field, type ObjectDef } from './fields';

/** An image pulled (or being pulled) onto one compute host; unique by (repo, tag, host). */
export interface Image {
  id: number;
  uuid: string;
  project_id: string | null;
  user_id: string | null;
  /** Docker image id, known once pulled. */
  image_id: string | null;
  repo: string;
  tag: string | null;
  /** Size as docker reports it, a string. */
  size: string | null;
  host: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const ImageObject: ObjectDef<Image, 'Image'> = {
  name: 'Image',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    uuid: field.string(),
    project_id: field.string({ nullable: true }),
    user_id: field.string({ nullable: true }),
    image_id: field.string({ nullable: true }),
    repo: field.string(),
    tag: field.string({ nullable: true }),
    size: field.string({ nullable: true }),
    host: field.string({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};
