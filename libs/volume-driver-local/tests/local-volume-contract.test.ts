import { describe, test } from 'node:test';
import { volumeDriverContract } from '../src';
import { loopHost } from './fixtures/loop-host';

// The same contract the strict fake meets, on real sparse images and loop mounts.
void describe('LocalVolumeDriver meets the VolumeDriver contract (real loop mounts)', () => {
  volumeDriverContract(test, async () => {
    const h = await loopHost();
    return { driver: h.driver, mountPrefix: h.prefix, cleanup: h.cleanup };
  });
});
