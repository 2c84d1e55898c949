import { type ZunObjectName } from './envelope';

/**
 * The fingerprint (see objectFingerprint) of every versioned object at its current VERSION. The fingerprint
 * test checks the definitions against it, and libs/rpc checks that the object schemas of its topic
 * descriptors stamp these versions: what real messages carry is pinned here.
 */
// When a field changes, bump the object's VERSION (minor for additions an older reader can ignore,
// major otherwise), note it in the object's version history, then update the pin here.
export const PINNED_OBJECT_FINGERPRINTS: Readonly<Record<ZunObjectName, string>> = {
  ZunService: '1.0-1673502b6daa4007872c942197d3fef4',
  ComputeNode: '1.1-54002d1d57cb1da4ab6ee0a00e7a85e1',
  Container: '1.1-862bfc5dd2f2f785cf8bfdd4cc9170cf',
  ContainerAction: '1.0-f8876fa93e5e058f20052c930b4fabe6',
  ContainerActionEvent: '1.0-13c0956ac2ac3f0053c360273b6a31d0',
  Quota: '1.0-6a69406b4cb81647ca8bccde82237ae7',
  QuotaClass: '1.0-e24393ef0e5eaf6a2813535cc80ec2e8',
  ExecInstance: '1.0-78abc9fa4012f8261c614d08b5bc1b7c',
  Image: '1.0-72c1ff5714063f0fa98bdfb98d1df57c',
  VolumeMapping: '1.1-c2b18f2a4fe8013873d9a5745fa201eb',
  Volume: '1.0-7dcfd5096ba32e935c0f84eaa8c3d3e0',
  Network: '1.0-b2795b824fd7287bdd9db495e6fa0406',
  NetworkPort: '1.0-8d610dda443c5d224711167af95f4646',
  Registry: '1.0-5022f2ca45902f22345a1566c5317a09',
};

