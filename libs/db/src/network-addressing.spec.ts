import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipv4ToInt, parseIpv4Cidr, type Ipv4Subnet } from '@zun-ts/common';
import { formatCidr, lowestFreeHost, lowestFreeSubnet, nextSegmentationId } from './network-addressing';

const subnet = (cidr: string): Ipv4Subnet => parseIpv4Cidr(cidr)!;
const ints = (...ips: string[]): Set<number> => new Set(ips.map((ip) => ipv4ToInt(ip)!));

void test('lowestFreeHost skips the network, gateway and used addresses, never the broadcast', () => {
  const s = subnet('10.0.0.0/29');
  assert.equal(lowestFreeHost(s, '10.0.0.1', ints()), '10.0.0.2');
  assert.equal(lowestFreeHost(s, '10.0.0.6', ints()), '10.0.0.1');
  assert.equal(lowestFreeHost(s, '10.0.0.1', ints('10.0.0.2', '10.0.0.4')), '10.0.0.3');
  assert.equal(lowestFreeHost(s, '10.0.0.1', ints('10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5')), '10.0.0.6');
  assert.equal(lowestFreeHost(s, '10.0.0.1', ints('10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6')), null);
});

void test('lowestFreeSubnet: the first aligned subnet of the pool that overlaps nothing', () => {
  const pool = subnet('10.200.0.0/16');
  assert.equal(formatCidr(lowestFreeSubnet(pool, 24, [])!), '10.200.0.0/24');
  assert.equal(formatCidr(lowestFreeSubnet(pool, 24, ['10.200.0.0/24', '10.200.2.0/24'])!), '10.200.1.0/24');
  // A larger network inside the pool, a smaller one, one outside, a malformed one.
  assert.equal(formatCidr(lowestFreeSubnet(pool, 24, ['10.200.0.0/23', '10.200.2.128/25', '192.168.0.0/24', 'x'])!), '10.200.3.0/24');
  // A network covering the whole pool leaves nothing.
  assert.equal(lowestFreeSubnet(pool, 24, ['10.0.0.0/8']), null);
  const small = subnet('10.9.0.0/23');
  assert.equal(lowestFreeSubnet(small, 24, ['10.9.0.0/24', '10.9.1.5/32']), null);
  assert.equal(formatCidr(lowestFreeSubnet(small, 25, ['10.9.0.0/24', '10.9.1.5/32'])!), '10.9.1.128/25');
  assert.throws(() => lowestFreeSubnet(pool, 8, []), RangeError);
});

void test('nextSegmentationId: above the highest in use, never into a gap a deleted network left (regression: a VNI was handed out again at once)', () => {
  assert.equal(nextSegmentationId([]), 1);
  assert.equal(nextSegmentationId([1, 2, 3]), 4);
  assert.equal(nextSegmentationId([3, 1, 1, 5]), 6);
  assert.equal(nextSegmentationId([2, 3]), 4);
  assert.equal(nextSegmentationId([], 100_000), 100_000);
  assert.equal(nextSegmentationId([7], 100_000), 100_000);
  assert.equal(nextSegmentationId([100_004, 7], 100_000), 100_005);
});
