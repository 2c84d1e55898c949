import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cidrsOverlap, intToIpv4, ipv4ToInt, isHostAddress, parseIpv4Cidr, validateNetworkSpec, validatePort } from './ipv4';
import { type NetworkSpec } from './network-driver';
import { InvalidNetworkSpec } from './network.errors';

const spec: NetworkSpec = {
  id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', name: 'n1', projectId: 'p1', cidr: '10.210.1.0/24', gateway: '10.210.1.1',
  subnetId: 's1', shared: false, natEgress: true, segmentationId: 4100, peers: ['10.99.0.12'],
};

describe('IPv4 helpers', () => {
  test('addresses convert both ways', () => {
    assert.equal(ipv4ToInt('10.0.0.1'), 167772161);
    assert.equal(intToIpv4(167772161), '10.0.0.1');
    assert.equal(ipv4ToInt('10.0.0.256'), null);
    assert.equal(ipv4ToInt('01.2.3.4'), null);
  });

  test('a CIDR with host bits set is refused', () => {
    assert.deepEqual(parseIpv4Cidr('10.1.2.0/24'), { network: ipv4ToInt('10.1.2.0'), prefix: 24 });
    assert.equal(parseIpv4Cidr('10.1.2.5/24'), null);
    assert.equal(parseIpv4Cidr('10.1.2.0/33'), null);
  });

  test('network and broadcast addresses are not host addresses', () => {
    const s = parseIpv4Cidr('10.1.2.0/24');
    assert.ok(s);
    assert.equal(isHostAddress(s, '10.1.2.0'), false);
    assert.equal(isHostAddress(s, '10.1.2.255'), false);
    assert.equal(isHostAddress(s, '10.1.2.254'), true);
    assert.equal(isHostAddress(s, '10.1.3.1'), false);
  });

  test('overlap is found in either direction', () => {
    assert.equal(cidrsOverlap('10.0.0.0/16', '10.0.5.0/24'), true);
    assert.equal(cidrsOverlap('10.0.5.0/24', '10.0.0.0/16'), true);
    assert.equal(cidrsOverlap('10.0.5.0/24', '10.0.6.0/24'), false);
  });

  test('a valid spec passes; each fault is named', () => {
    assert.equal(validateNetworkSpec(spec).prefix, 24);
    assert.throws(() => validateNetworkSpec({ ...spec, cidr: '10.210.1.0' }), /not an IPv4 CIDR/);
    assert.throws(() => validateNetworkSpec({ ...spec, gateway: '10.210.2.1' }), /gateway 10.210.2.1/);
    assert.throws(() => validateNetworkSpec({ ...spec, segmentationId: 0 }), InvalidNetworkSpec);
    assert.throws(() => validateNetworkSpec({ ...spec, segmentationId: 0x1000000 }), /outside 1..16777215/);
    assert.throws(() => validateNetworkSpec({ ...spec, peers: ['host-b'] }), /peer host-b/);
    assert.throws(() => validateNetworkSpec({ ...spec, cidr: '10.210.1.0/30', gateway: '10.210.1.1' }), /prefix \/30/);
  });

  test('a port address must be a host address of the subnet and not the gateway', () => {
    const port = { id: 'p', networkId: spec.id, fixedIp: '10.210.1.5', preserveOnDelete: false };
    validatePort(spec, port);
    assert.throws(() => validatePort(spec, { ...port, fixedIp: '10.210.1.1' }), /is the gateway/);
    assert.throws(() => validatePort(spec, { ...port, fixedIp: '10.210.2.5' }), /not a host address/);
    assert.throws(() => validatePort(spec, { ...port, macAddress: '02:42:AC:11:00:02' }), /MAC/);
  });
});
