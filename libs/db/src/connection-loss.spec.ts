import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFound } from '@zun-ts/common';
import { DatabaseUnavailable, connectionLossCode, guardConnection, mapConnectionLoss } from './connection-loss';

const sysError = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:3306`), { code });

test('connection losses are recognised by code, fatal flag or message, also as the driverError or cause of another error', () => {
  assert.equal(connectionLossCode(sysError('ECONNREFUSED')), 'ECONNREFUSED');
  assert.equal(connectionLossCode(Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true })), 'PROTOCOL_CONNECTION_LOST');
  assert.equal(connectionLossCode(Object.assign(new Error('x'), { fatal: true })), 'FATAL');
  assert.equal(connectionLossCode(new Error("Can't add new command when connection is in closed state")), 'CONNECTION_CLOSED');
  const queryFailed = Object.assign(new Error('Query failed'), { driverError: sysError('ECONNRESET') });
  assert.equal(connectionLossCode(queryFailed), 'ECONNRESET');
  assert.equal(connectionLossCode(new Error('outer', { cause: sysError('ETIMEDOUT') })), 'ETIMEDOUT');
});

test('other errors are not losses: a duplicate key, a syntax error, a ZunError', () => {
  assert.equal(connectionLossCode(Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY', errno: 1062 })), null);
  assert.equal(connectionLossCode(Object.assign(new Error('syntax'), { code: 'ER_PARSE_ERROR' })), null);
  assert.equal(connectionLossCode(new NotFound('no such container')), null);
  assert.equal(connectionLossCode(null), null);
  const self: { cause?: unknown } & Error = new Error('loop');
  self.cause = self;
  assert.equal(connectionLossCode(self), null, 'a cause cycle ends');
});

test('mapConnectionLoss: DatabaseUnavailable (503, retryable) naming the code; anything else unchanged', () => {
  const mapped = mapConnectionLoss(sysError('ECONNREFUSED'));
  assert.ok(mapped instanceof DatabaseUnavailable);
  assert.equal(mapped.status, 503);
  assert.equal(mapped.retryable, true);
  assert.equal(mapped.message, 'The database is unavailable (ECONNREFUSED); retry later.');
  const other = new NotFound('x');
  assert.equal(mapConnectionLoss(other), other);
});

test('guardConnection maps what every method throws or rejects with, and keeps this, results and other errors', async () => {
  class Repo {
    private readonly rows = ['a'];
    async list(): Promise<string[]> {
      return this.rows;
    }
    async lost(): Promise<string[]> {
      throw sysError('ECONNRESET');
    }
    syncLost(): number {
      throw sysError('EPIPE');
    }
    async missing(): Promise<never> {
      throw new NotFound('gone');
    }
    async viaOther(): Promise<string[]> {
      return this.list();
    }
  }
  const repo = guardConnection(new Repo());
  assert.equal(repo.list, repo.list, 'one wrapper per method, not one per call');
  assert.deepEqual(await repo.list(), ['a']);
  assert.deepEqual(await repo.viaOther(), ['a']);
  await assert.rejects(repo.lost(), DatabaseUnavailable);
  assert.throws(() => repo.syncLost(), DatabaseUnavailable);
  await assert.rejects(repo.missing(), NotFound);
});
