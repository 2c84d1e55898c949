import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { originProblem } from './origin.check';

const ws = 'ws://proxy.example.org:6784/';
const wss = 'wss://proxy.example.org/';

describe('originProblem', () => {
  test('no Origin header (the zun CLI) passes', () => {
    assert.equal(originProblem({ host: 'proxy.example.org:6784' }, ws, []), null);
  });

  test('an Origin on the requested host passes, whatever its port', () => {
    assert.equal(originProblem({ origin: 'http://proxy.example.org', host: 'proxy.example.org:6784' }, ws, []), null);
    assert.equal(originProblem({ origin: 'http://[::1]:8080', host: '[::1]:6784' }, ws, []), null);
  });

  test('a foreign Origin is refused unless listed in allowed_origins', () => {
    const h = { origin: 'http://evil.example.com', host: 'proxy.example.org:6784' };
    assert.equal(originProblem(h, ws, []), 'Origin header does not match this host.');
    assert.equal(originProblem(h, ws, ['Evil.Example.com']), null);
  });

  test('the scheme must be of the base_url family', () => {
    const host = 'proxy.example.org';
    assert.equal(originProblem({ origin: 'https://proxy.example.org', host }, ws, []), 'Origin header protocol does not match this host.');
    assert.equal(originProblem({ origin: 'http://proxy.example.org', host }, wss, []), 'Origin header protocol does not match this host.');
    assert.equal(originProblem({ origin: 'https://proxy.example.org', host }, wss, []), null);
  });

  test('X-Forwarded-Proto wins over the Origin scheme (TLS ended by a proxy)', () => {
    const h = { origin: 'http://proxy.example.org', host: 'proxy.example.org', 'x-forwarded-proto': 'https' };
    assert.equal(originProblem(h, wss, []), null);
    assert.equal(originProblem(h, ws, []), 'Origin header protocol does not match this host.');
  });

  test('a malformed Origin is refused', () => {
    assert.equal(originProblem({ origin: 'not a url', host: 'h' }, ws, []), 'Origin header is not a valid URL.');
  });
});
