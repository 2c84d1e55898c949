import { field, type ObjectDef } from './fields';

/** An interactive exec session, reachable through the websocket proxy with its token. */
export interface ExecInstance {
  id: number;
  /** Row id of the container (not the docker id). */
  container_id: number;
  /** Docker exec id (64 hex). */
  exec_id: string;
  token: string | null;
  url: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const ExecInstanceObject: ObjectDef<ExecInstance, 'ExecInstance'> = {
  name: 'ExecInstance',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    container_id: field.integer(),
    exec_id: field.string(),
    token: field.string({ nullable: true }),
    url: field.string({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};
