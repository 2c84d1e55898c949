import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAdmin, isFresh, loginErrorMessage, type Session } from './session';

const session = (expires_at: string | null): Session => ({ token: 't', expires_at, user: { id: 'u', name: 'demo' }, project: { id: 'p', name: 'demo' }, roles: ['member'] });

void describe('the console session', () => {
  test('a failed login shows the detail of Zun\'s error body, else its title, else the status', () => {
    assert.equal(loginErrorMessage(401, { errors: [{ detail: 'The username or password is not valid.', title: 'Unauthorized' }] }), 'The username or password is not valid.');
    assert.equal(loginErrorMessage(503, { errors: [{ detail: '', title: 'Service Unavailable' }] }), 'Service Unavailable');
    assert.equal(loginErrorMessage(502, null), 'Login failed (HTTP 502).');
    assert.equal(loginErrorMessage(500, '<html>'), 'Login failed (HTTP 500).');
  });

  test('admins are those with the admin role', () => {
    assert.equal(isAdmin({ roles: ['reader', 'admin'] }), true);
    assert.equal(isAdmin({ roles: ['member'] }), false);
  });

  test('a stored session is dropped a minute before its token expires', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    assert.equal(isFresh(session('2026-12-03T10:05:00Z'), now), true);
    assert.equal(isFresh(session('2026-12-03T10:00:30Z'), now), false);
    assert.equal(isFresh(session(null), now), true);
  });
});
