import { InitialSchema1732233600000 } from './1732233600000-initial-schema.migration';
import { AddContainerClaim1732320000000 } from './1732320000000-add-container-claim.migration';
import { AddQuotaLock1732406400000 } from './1732406400000-add-quota-lock.migration';
import { AddClaimBuild1732492800000 } from './1732492800000-add-claim-build.migration';
import { AddVolume1732579200000 } from './1732579200000-add-volume.migration';
import { AddNetwork1732665600000 } from './1732665600000-add-network.migration';
import { AddRegistry1732752000000 } from './1732752000000-add-registry.migration';
import { AddContainerBuildRequest1732838400000 } from './1732838400000-add-container-build-request.migration';
import { AddContainerRevision1732924800000 } from './1732924800000-add-container-revision.migration';

/** Every migration, oldest first. Listed by hand: the code is bundled, so TypeORM cannot glob for files. */
export const MIGRATIONS = [InitialSchema1732233600000, AddContainerClaim1732320000000, AddQuotaLock1732406400000, AddClaimBuild1732492800000, AddVolume1732579200000, AddNetwork1732665600000, AddRegistry1732752000000, AddContainerBuildRequest1732838400000, AddContainerRevision1732924800000];
