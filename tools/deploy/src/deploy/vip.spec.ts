import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { serverStatus, waitHttpOk } from './vip';

const CSV = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight
zun_api,FRONTEND,,,0,1,40000,3,0,0,0,0,0,,,,,OPEN,
zun_api,ctl,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP,1
zun_api,api2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN 1/2,1
zun_api,BACKEND,0,0,0,1,4000,3,0,0,0,0,,0,0,0,0,UP,1
mariadb,ctl,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP,1
`;

void describe('through the VIP', () => {
  test("HAProxy's statistics CSV gives each server's status, per proxy", () => {
    assert.deepEqual(serverStatus(CSV, 'zun_api'), { ctl: 'UP', api2: 'DOWN 1/2' });
    assert.deepEqual(serverStatus(CSV, 'mariadb'), { ctl: 'UP' });
    assert.deepEqual(serverStatus(CSV, 'nope'), {});
  });

  test('waitHttpOk waits out a 503 (HAProxy before its checks pass) and gives up with the last answer', async () => {
    let n = 0;
    const srv = createServer((_req, res) => {
      res.statusCode = ++n < 3 ? 503 : 200;
      res.end();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`;
    try {
      await waitHttpOk(url, 5000, 20);
      assert.equal(n, 3);
      n = -1000;
      await assert.rejects(waitHttpOk(url, 100, 20), /did not answer 2xx within 0 s \(last: HTTP 503\)/);
    } finally {
      srv.close();
    }
  });
});
