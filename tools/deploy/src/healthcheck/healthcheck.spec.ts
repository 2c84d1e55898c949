import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runHealthcheck } from './cli';
import { checkCurl, checkFilemod, checkListen, checkPort, parseProcNetTcp, pidsMatching } from './healthcheck';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const row = (local: string, remote: string, st: string, inode: number): string =>
  `   0: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000 42463        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

/** A fake /proc: zun-api (pid 100) listens on 9517; zun-conductor (pid 200) is connected to Redis on 6379. */
function fakeProc(): string {
  const proc = mkdtempSync(join(tmpdir(), 'proc-'));
  const pid = (n: number, cmd: string[], inodes: number[]): void => {
    mkdirSync(join(proc, String(n), 'fd'), { recursive: true });
    writeFileSync(join(proc, String(n), 'cmdline'), `${cmd.join('\0')}\0`);
    inodes.forEach((i, fd) => symlinkSync(`socket:[${i}]`, join(proc, String(n), 'fd', String(fd + 3))));
    symlinkSync('/dev/null', join(proc, String(n), 'fd', '0'));
  };
  pid(100, ['node', '/opt/zun-ts/bin/zun-api.js', '--config-file', '/etc/zun/zun.conf'], [5555]);
  pid(200, ['node', '/opt/zun-ts/bin/zun-conductor.js'], [6666, 7777]);
  mkdirSync(join(proc, 'net'));
  // 9517 = 0x252D, 6379 = 0x18EB
  writeFileSync(join(proc, 'net', 'tcp'), HEADER + row('0A00000B:252D', '00000000:0000', '0A', 5555) + row('0A00000B:A1B2', '0A00000B:18EB', '01', 6666) + row('0A00000B:A1B3', '0A00000B:0050', '06', 7777));
  writeFileSync(join(proc, 'net', 'tcp6'), HEADER);
  return proc;
}

void describe('health checks', () => {
  void test('parseProcNetTcp reads ports, state and inode', () => {
    assert.deepEqual(parseProcNetTcp(HEADER + row('0100007F:1F90', '00000000:0000', '0A', 12)), [{ localPort: 8080, remotePort: 0, state: 'LISTEN', inode: '12' }]);
  });

  void test('listen: the matching process must own a listening socket on one of the ports', () => {
    const proc = fakeProc();
    assert.deepEqual(pidsMatching(proc, 'zun-api'), [100]);
    assert.deepEqual(checkListen(proc, 'zun-api', [9517]), { ok: true, message: 'zun-api listens on port 9517' });
    assert.deepEqual(checkListen(proc, 'zun-api', [1, 9517]).ok, true);
    assert.deepEqual(checkListen(proc, 'zun-api', [6784]), { ok: false, message: 'zun-api (pid 100) does not listen on port 6784' });
    assert.deepEqual(checkListen(proc, 'zun-wsproxy', [6784]), { ok: false, message: 'no process matches "zun-wsproxy"' });
    // a connection is not a listening socket, and another process's socket does not count
    assert.equal(checkListen(proc, 'zun-conductor', [6379]).ok, false);
    assert.equal(checkListen(proc, 'zun-conductor', [9517]).ok, false);
  });

  void test('port: an established connection involving the port (Redis for the conductor)', () => {
    const proc = fakeProc();
    assert.deepEqual(checkPort(proc, 'zun-conductor', [6379]), { ok: true, message: 'zun-conductor is connected on port 6379' });
    assert.equal(checkPort(proc, 'zun-conductor', [80]).ok, false, 'a closing socket (state 06) does not count');
    assert.equal(checkPort(proc, 'zun-api', [9517]).ok, false, 'listening is not connected');
  });

  void test('the real /proc: this process listening on IPv4 and IPv6', async () => {
    const v4 = createTcpServer().listen(0, '127.0.0.1');
    const v6 = createTcpServer().listen(0);
    await Promise.all([v4, v6].map((s) => new Promise((r) => s.once('listening', r))));
    const p4 = (v4.address() as AddressInfo).port;
    const p6 = (v6.address() as AddressInfo).port;
    try {
      // pgrep -f excludes the checker itself; here the checker is the process under test
      assert.equal(checkListen('/proc', process.argv[1] ?? 'node', [p4], -1).ok, true);
      assert.equal(checkListen('/proc', process.argv[1] ?? 'node', [p6], -1).ok, true);
      assert.equal(checkListen('/proc', process.argv[1] ?? 'node', [p4]).ok, false, 'the checking process itself is not a match');
    } finally {
      v4.close();
      v6.close();
    }
  });

  void test('curl: below 400 is healthy; 500, refused and bad URLs are not', async () => {
    const srv = createServer((req, res) => {
      res.statusCode = req.url === '/healthcheck' ? 200 : 500;
      res.end('x');
    }).listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const port = (srv.address() as AddressInfo).port;
    try {
      assert.deepEqual(await checkCurl(`http://127.0.0.1:${port}/healthcheck`), { ok: true, message: '200' });
      assert.deepEqual(await checkCurl(`http://127.0.0.1:${port}/other`), { ok: false, message: '500' });
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
    const refused = await checkCurl(`http://127.0.0.1:${port}/healthcheck`);
    assert.equal(refused.ok, false);
    assert.match(refused.message, /ECONNREFUSED/);
    assert.deepEqual(await checkCurl('not a url'), { ok: false, message: 'not a url is not a URL' });
  });

  void test('filemod: changed within the limit', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'filemod-')), 'beat');
    writeFileSync(f, '');
    assert.equal(checkFilemod(f, 60).ok, true);
    utimesSync(f, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    assert.match(checkFilemod(f, 60).message, /unchanged for 12\ds \(limit 60s\)/);
    assert.equal(checkFilemod(`${f}.none`, 60).ok, false);
  });

  void test('command line: exit 0 healthy, 1 otherwise (usage too: Docker reserves 2)', async () => {
    const proc = fakeProc();
    const lines: string[] = [];
    assert.equal(await runHealthcheck(['listen', 'zun-api', '9517'], (l) => void lines.push(l), proc), 0);
    assert.equal(await runHealthcheck(['port', 'zun-conductor', '6379'], (l) => void lines.push(l), proc), 0);
    assert.equal(await runHealthcheck(['listen', 'zun-api', '6784'], (l) => void lines.push(l), proc), 1);
    assert.equal(await runHealthcheck(['listen', 'zun-api', 'http'], (l) => void lines.push(l), proc), 1);
    assert.equal(await runHealthcheck(['nope'], (l) => void lines.push(l), proc), 1);
    assert.match(lines.at(-1) ?? '', /^usage: kolla_healthcheck curl URL/);
  });
});
