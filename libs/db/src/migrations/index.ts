import { InitialSchema1732233600000 } from './1732233600000-initial-schema.migration';
import { AddContainerClaim1732320000000 } from './1732320000000-add-container-claim.migration';

/** Every migration, oldest first. Listed by hand: the code is bundled, so TypeORM cannot glob for files. */
export const MIGRATIONS = [InitialSchema1732233600000, AddContainerClaim1732320000000];
