import { InitialSchema1732233600000 } from './1732233600000-initial-schema.migration';

/** Every migration, oldest first. Listed by hand: the code is bundled, so TypeORM cannot glob for files. */
export const MIGRATIONS = [InitialSchema1732233600000];
