import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type RequestContext, MessagingTimeout, NoValidHost, RequestedHostNotFound, serializeError, silentLogger } from '@zun-ts/common';
import { localClient, SCHEDULER, type SchedulerClient, type SchedulerRpcApi, type SelectDestinationsRequest } from '@zun-ts/rpc';
import { SelectBatcher } from './select-batcher';

const ctx = (requestId: string): RequestContext => ({ requestId, userId: 'u', projectId: 'p', roles: [], isAdmin: false });

function request(uuid: string, patch: Partial<SelectDestinationsRequest> = {}): SelectDestinationsRequest {
  return {
    container_uuid: uuid, cpu: 1, memory: 64, disk: null, runtime: null, cpu_policy: null, hints: {}, availability_zone: null,
    requested_host: null, ignore_hosts: [], volume_hosts: [], ...patch,
  };
}

/** The one decision of the fake scheduler: `no-<x>` fits nowhere, `gone-<x>` asks for an unknown host, others get `h-<uuid>`. */
function decide(r: SelectDestinationsRequest): { hosts: string[] } {
  if (r.container_uuid.startsWith('no-')) throw new NoValidHost();
  if (r.container_uuid.startsWith('gone-')) throw new RequestedHostNotFound('zz');
  return { hosts: [`h-${r.container_uuid}`] };
}

/** A scheduler of the current contract, or (`batches: false`) of one before 1.4; `sent` lists its messages. */
function scheduler(opts: { batches?: boolean; fail?: Error } = {}): { client: Pick<SchedulerClient, 'call'>; sent: string[] } {
  const sent: string[] = [];
  const impl: Partial<SchedulerRpcApi> = {
    ping: async () => ({ host: 'sched' }),
    selectDestinations: async (_c, r) => {
      sent.push('one');
      return decide(r);
    },
  };
  if (opts.batches !== false) {
    impl.selectDestinationsMany = async (_c, { requests }) => {
      sent.push(`many:${requests.length}`);
      if (opts.fail) throw opts.fail;
      return {
        results: requests.map((r) => {
          try {
            return { hosts: decide(r).hosts, error: null };
          } catch (err) {
            return { hosts: null, error: serializeError(err) };
          }
        }),
      };
    };
  }
  return { client: localClient(SCHEDULER, impl), sent };
}

const select = (b: SelectBatcher, uuid: string): Promise<{ hosts: string[] }> => b.call('selectDestinations', ctx(`req-${uuid}`), request(uuid));

describe('SelectBatcher', () => {
  test('the calls of one turn go as one selectDestinationsMany message; each caller gets its own hosts', async () => {
    const s = scheduler();
    const b = new SelectBatcher(s.client, silentLogger());
    const answers = await Promise.all(['a', 'b', 'c'].map((u) => select(b, u)));
    assert.deepEqual(answers.map((a) => a.hosts), [['h-a'], ['h-b'], ['h-c']]);
    assert.deepEqual(s.sent, ['many:3']);
  });

  test('a call alone in its turn goes as a plain selectDestinations; calls of different turns are different messages', async () => {
    const s = scheduler();
    const b = new SelectBatcher(s.client, silentLogger());
    assert.deepEqual((await select(b, 'a')).hosts, ['h-a']);
    await Promise.all([select(b, 'b'), select(b, 'c')]);
    const later = select(b, 'd');
    await new Promise((r) => setImmediate(r));
    const next = [select(b, 'e'), select(b, 'f')];
    await Promise.all([later, ...next]);
    assert.deepEqual(s.sent, ['one', 'many:2', 'one', 'many:2']);
  });

  test('errors are per caller: NoValidHost and RequestedHostNotFound reach their own callers, the others get hosts', async () => {
    const s = scheduler();
    const b = new SelectBatcher(s.client, silentLogger());
    const [ok, none, gone] = await Promise.allSettled([select(b, 'a'), select(b, 'no-b'), select(b, 'gone-c')]);
    assert.deepEqual(ok?.status === 'fulfilled' && ok.value.hosts, ['h-a']);
    assert.ok(none?.status === 'rejected' && none.reason instanceof NoValidHost);
    assert.ok(gone?.status === 'rejected' && gone.reason instanceof RequestedHostNotFound);
    assert.equal(gone.reason.message, 'Requested host zz could not be found.');
    assert.deepEqual(s.sent, ['many:3']);
  });

  test('a failure of the message itself (the bus, the scheduler\'s database) fails every caller in it', async () => {
    const s = scheduler({ fail: new MessagingTimeout('no reply') });
    const b = new SelectBatcher(s.client, silentLogger());
    const outcomes = await Promise.allSettled([select(b, 'a'), select(b, 'b')]);
    for (const o of outcomes) assert.ok(o.status === 'rejected' && o.reason instanceof MessagingTimeout);
  });

  test('more than 16 in one turn are split into messages of 16', async () => {
    const s = scheduler();
    const b = new SelectBatcher(s.client, silentLogger());
    const uuids = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const answers = await Promise.all(uuids.map((u) => select(b, u)));
    assert.deepEqual(answers.map((a) => a.hosts[0]), uuids.map((u) => `h-${u}`));
    assert.deepEqual(s.sent, ['many:16', 'many:16', 'many:8']);
    assert.deepEqual(b.sent, { messages: 3, requests: 40 });
  });

  test('NoSuchMethod (a scheduler before 1.4): the batch is sent again as single calls, and so is everything for 60 s', async () => {
    let now = 1_000_000;
    const old = scheduler({ batches: false });
    const tried: string[] = [];
    const spy: Pick<SchedulerClient, 'call'> = {
      call: (method, c, args, opts) => {
        tried.push(method);
        return old.client.call(method, c, args, opts);
      },
    };
    const b = new SelectBatcher(spy, silentLogger(), { now: () => now });
    const first = await Promise.all([select(b, 'a'), select(b, 'b')]);
    assert.deepEqual(first.map((a) => a.hosts), [['h-a'], ['h-b']], 'the callers never see the NoSuchMethod');
    assert.deepEqual(tried, ['selectDestinationsMany', 'selectDestinations', 'selectDestinations']);
    now += 59_000;
    await Promise.all([select(b, 'c'), select(b, 'd'), select(b, 'e')]);
    assert.deepEqual(tried.slice(3), ['selectDestinations', 'selectDestinations', 'selectDestinations'], 'no batch tried within the 60 s');
    now += 2_000;
    await Promise.all([select(b, 'f'), select(b, 'g')]);
    assert.deepEqual(tried.slice(6), ['selectDestinationsMany', 'selectDestinations', 'selectDestinations'], 'after 60 s a batch is tried again');
  });

  test('other methods, and calls with options, pass straight through', async () => {
    const s = scheduler();
    const b = new SelectBatcher(s.client, silentLogger());
    assert.deepEqual(await b.call('ping', ctx('r'), {}), { host: 'sched' });
    await Promise.all([b.call('selectDestinations', ctx('r1'), request('a'), { timeoutMs: 5000 }), b.call('selectDestinations', ctx('r2'), request('b'), { timeoutMs: 5000 })]);
    assert.deepEqual(s.sent, ['one', 'one']);
  });
});
