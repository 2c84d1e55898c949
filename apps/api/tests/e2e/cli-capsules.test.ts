// End to end: capsules through the real `zun` client (capsule-create from YAML and JSON, capsule-list,
// capsule-describe, capsule-delete, exec in a capsule's containers) against this checkout's services on the stack's
// Keystone, Redis, Docker engine and registry (see fixtures/private-zun.ts).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CONTAINER_TYPES } from '@zun-ts/objects';
import { parseTable, repoRoot, tmpDir, uniqueName, waitFor } from '@zun-ts/testing';
import { PrivateZun } from './fixtures/private-zun';
import { docker, ok } from './fixtures/stack-cli';

const dir = tmpDir('zun-capsule-templates-');
let pz: PrivateZun;

interface MemberView {
  uuid: string;
  name: string;
  status: string;
  status_reason: string | null;
  command: string[] | null;
}

interface CapsuleView {
  uuid: string;
  name: string;
  status: string;
  status_reason: string | null;
  project_id: string;
  cpu: number;
  memory: string;
  addresses: unknown;
  restart_policy: { Name: string };
  containers: MemberView[];
  init_containers: MemberView[];
}

/** `zun capsule-describe -f json` as demo; null when the API answers 404. */
async function describeCapsule(ident: string, user: 'demo' | 'alt_demo' = 'demo'): Promise<CapsuleView | null> {
  const r = await pz.zun(user, 'capsule-describe', '-f', 'json', ident);
  if (r.code !== 0) {
    assert.match(r.stderr, /\(HTTP 404\)/, `capsule-describe ${ident} failed:\n${r.stderr}`);
    return null;
  }
  return JSON.parse(r.stdout) as CapsuleView;
}

async function settled(name: string, statuses: string[]): Promise<CapsuleView> {
  let last: CapsuleView | null = null;
  return waitFor(async () => {
    last = await describeCapsule(name);
    return last && statuses.includes(last.status) ? last : null;
  }, { timeoutMs: 120_000, intervalMs: 500, what: `capsule ${name} in ${statuses.join('/')}`, context: () => `last: ${JSON.stringify(last)}\n${pz.logs(true).slice(-12000)}` });
}

function templateFile(name: string, text: string): string {
  const file = join(dir.path, name);
  writeFileSync(file, text);
  return file;
}

async function deleteCapsule(name: string): Promise<void> {
  const c = await describeCapsule(name);
  assert.ok(c, `capsule ${name} exists`);
  assert.match(ok(await pz.zun('demo', 'capsule-delete', name), 'capsule-delete'), /Request to delete capsule .* has been accepted/);
  await waitFor(async () => (await describeCapsule(name)) === null, { timeoutMs: 60_000, what: `capsule ${name} deleted`, context: () => pz.logs(true).slice(-8000) });
  const left = await docker('ps', '-a', '--format', '{{.Names}}');
  for (const uuid of [c.uuid, ...c.containers.map((m) => m.uuid), ...c.init_containers.map((m) => m.uuid)]) {
    assert.equal(left.stdout.includes(`zun-${uuid}`), false, `engine container zun-${uuid} removed`);
  }
}

before(async () => {
  // A project may use 2 cpus: the over-quota test asks for 3.
  pz = await PrivateZun.start({ quota: { cpu: 2 } });
});

after(async () => {
  await pz?.stop();
  await dir.cleanup();
});

describe('zun capsule-* against this checkout', () => {
  const web = uniqueName('web');

  test('a web server and a sidecar from YAML: Running, one address, the sidecar reaches the server on localhost and sees its process', async () => {
    const file = templateFile('web.yaml', `kind: capsule
capsuleVersion: beta
metadata:
  name: ${web}
  labels:
    app: web
spec:
  restartPolicy: Always
  containers:
  - image: busybox
    name: web
    command: ["sh", "-c", "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports:
    - containerPort: 8080
      protocol: TCP
    resources:
      requests:
        cpu: 0.1
        memory: 64
  - image: busybox
    name: sidecar
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    resources:
      requests:
        cpu: 0.1
        memory: 32
`);
    assert.match(ok(await pz.zun('demo', 'capsule-create', '-f', file), 'capsule-create'), /Request to create capsule has been accepted/);
    const c = await settled(web, ['Running', 'Error']);
    assert.equal(c.status, 'Running', c.status_reason ?? '');
    assert.equal(c.cpu, 0.2);
    assert.equal(c.memory, '96');
    assert.deepEqual(c.restart_policy, { Name: 'always', MaximumRetryCount: '0' });
    assert.equal(c.containers.length, 2);
    assert.deepEqual(c.init_containers, []);
    for (const m of c.containers) {
      assert.equal(m.status, 'Running');
      assert.match(m.name, new RegExp(`^capsule-${web}-[a-z]+-\\d+$`));
    }
    const addresses = Object.values(c.addresses as Record<string, { addr: string }[]>).flat();
    assert.equal(addresses.length, 1, `one address for the capsule: ${JSON.stringify(c.addresses)}`);

    const listed = parseTable(ok(await pz.zun('demo', 'capsule-list'), 'capsule-list'));
    assert.deepEqual(listed.filter((r) => r['name'] === web).map((r) => [r['uuid'], r['status']]), [[c.uuid, 'Running']]);
    // Neither the capsule nor its containers are containers of `zun list`; container routes do not see the capsule.
    const containers = ok(await pz.zun('demo', 'list'), 'list');
    for (const uuid of [c.uuid, ...c.containers.map((m) => m.uuid)]) assert.equal(containers.includes(uuid), false);
    assert.match((await pz.zun('demo', 'show', c.uuid)).stderr, /\(HTTP 404\)/);

    const sidecar = c.containers.find((m) => m.command?.join(' ').includes('while'));
    assert.ok(sidecar, 'the sidecar is listed');
    const got = await waitFor(async () => {
      const r = await pz.zun('demo', 'exec', sidecar.name, 'wget', '-q', '-O', '-', 'http://localhost:8080/');
      return r.code === 0 && r.stdout.includes('hello-from-web') ? r.stdout : null;
    }, { timeoutMs: 20_000, what: 'the sidecar to reach the web server on localhost' });
    assert.match(got, /hello-from-web/);
    const ps = ok(await pz.zun('demo', 'exec', sidecar.name, 'ps'), 'exec ps');
    assert.match(ps, /httpd -f -p 8080/, 'one PID namespace: the sidecar sees the web server');
  });

  test('alt_demo: 404 on every capsule route, and its list does not show the capsule', async () => {
    assert.equal(await describeCapsule(web, 'alt_demo'), null);
    const del = await pz.zun('alt_demo', 'capsule-delete', web);
    assert.match(del.stdout, /Delete for capsule .* failed: .*\(HTTP 404\)/);
    assert.equal(ok(await pz.zun('alt_demo', 'capsule-list'), 'capsule-list').includes(web), false);
    assert.equal((await describeCapsule(web))?.status, 'Running', 'untouched');
  });

  test('capsule-delete removes the containers, the sandbox and the rows', async () => {
    await deleteCapsule(web);
  });

  test('from JSON: two init containers run in order on a shared volume, then the container reads what they wrote', async () => {
    const name = uniqueName('init');
    const file = templateFile('init.json', JSON.stringify({
      kind: 'capsule',
      metadata: { name },
      spec: {
        restartPolicy: 'Always',
        initContainers: [
          { image: 'busybox', name: 'first', command: ['sh', '-c', 'echo one > /work/log'], volumeMounts: [{ name: 'scratch', mountPath: '/work' }] },
          { image: 'busybox', name: 'second', command: ['sh', '-c', 'test -f /work/log && echo two >> /work/log'], volumeMounts: [{ name: 'scratch', mountPath: '/work' }] },
        ],
        containers: [{ image: 'busybox', name: 'app', command: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"], volumeMounts: [{ name: 'scratch', mountPath: '/data' }] }],
        volumes: [{ name: 'scratch', cinder: { size: 1 } }],
      },
    }));
    ok(await pz.zun('demo', 'capsule-create', '-f', file), 'capsule-create');
    const c = await settled(name, ['Running', 'Error']);
    assert.equal(c.status, 'Running', c.status_reason ?? '');
    assert.deepEqual(c.init_containers.map((m) => m.status), ['Stopped', 'Stopped']);
    assert.deepEqual(c.containers.map((m) => m.status), ['Running']);
    const app = c.containers[0];
    assert.ok(app);
    assert.deepEqual(ok(await pz.zun('demo', 'exec', app.name, 'cat', '/data/log'), 'exec cat').trim().split(/\r?\n/), ['one', 'two']);
    const volumes = await pz.db.volumes.list({ projectId: c.project_id, allProjects: false });
    assert.equal(volumes.length, 1);
    await deleteCapsule(name);
    assert.deepEqual(await pz.db.volumes.list({ projectId: c.project_id, allProjects: false }), [], 'the volume made for the capsule went with it');
  });

  test('a failing init container: capsule Error with the reason, no container started', async () => {
    const name = uniqueName('bad-init');
    const file = templateFile('bad-init.yaml', `kind: capsule
metadata:
  name: ${name}
spec:
  restartPolicy: Never
  initContainers:
  - image: busybox
    name: prep
    command: ["sh", "-c", "exit 3"]
  containers:
  - image: busybox
    name: app
    command: ["sleep", "3600"]
`);
    ok(await pz.zun('demo', 'capsule-create', '-f', file), 'capsule-create');
    const c = await settled(name, ['Error', 'Running']);
    assert.equal(c.status, 'Error');
    assert.match(c.status_reason ?? '', new RegExp(`^Init container capsule-${name}-[a-z]+-\\d+ exited with code 3\\.$`));
    assert.equal(c.init_containers[0]?.status, 'Stopped');
    assert.equal(c.init_containers[0]?.status_reason, 'Exited with code 3');
    assert.equal(c.containers[0]?.status, 'Error');
    assert.match(c.containers[0]?.status_reason ?? '', /^Not started: /);
    const engine = await docker('ps', '-a', '--format', '{{.Names}}');
    assert.equal(engine.stdout.includes(`zun-${c.containers[0]?.uuid ?? ''}`), false, 'the container was never made');
    await deleteCapsule(name);
  });

  test('over the project\'s quota → 403, nothing written', async () => {
    const name = uniqueName('big');
    const file = templateFile('big.yaml', `kind: capsule
metadata:
  name: ${name}
spec:
  containers:
  - {image: busybox, resources: {requests: {cpu: 1}}}
  - {image: busybox, resources: {requests: {cpu: 1}}}
  - {image: busybox, resources: {requests: {cpu: 1}}}
`);
    const r = await pz.zun('demo', 'capsule-create', '-f', file);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Quota exceeded for resources: \['cpu'\] \(HTTP 403\)/);
    assert.equal(await describeCapsule(name), null);
  });

  const bad: [string, string, RegExp][] = [
    ['missing kind', '{"metadata": {"name": "xx"}, "spec": {"containers": [{"image": "busybox"}]}}', /'kind' is a required property/],
    ['bad restartPolicy', '{"kind": "capsule", "metadata": {}, "spec": {"restartPolicy": "Sometimes", "containers": [{"image": "busybox"}]}}', /'Sometimes' is not one of/],
    ['no containers', '{"kind": "capsule", "metadata": {}, "spec": {"containers": []}}', /Capsule need to have one container at least/],
    ['duplicate names', '{"kind": "capsule", "metadata": {}, "spec": {"containers": [{"name": "aa", "image": "busybox"}, {"name": "aa", "image": "busybox"}]}}',
      /Container name aa is used more than once/],
    ['bad resources', '{"kind": "capsule", "metadata": {}, "spec": {"containers": [{"image": "busybox", "resources": {"requests": {"memory": "1G"}}}]}}', /1G/],
    ['unknown volume', '{"kind": "capsule", "metadata": {}, "spec": {"containers": [{"image": "busybox", "volumeMounts": [{"name": "nope", "mountPath": "/x"}]}]}}',
      /Volume nope is mounted but not defined in spec\.volumes/],
  ];
  for (const [what, text, message] of bad) {
    test(`bad template (${what}) → 400 with Zun's message, nothing created`, async () => {
      const before = await pz.db.containers.list({ projectId: null, allProjects: true, containerType: null });
      const r = await pz.zun('demo', 'capsule-create', '-f', templateFile(`${what.replace(/\W/g, '-')}.json`, text));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /\(HTTP 400\)/);
      const after = await pz.db.containers.list({ projectId: null, allProjects: true, containerType: null });
      assert.equal(after.length, before.length, 'no row written');
    });
  }

  /** A template of the README's Capsules section (`cat > <file> <<'YAML'` … `YAML`). */
  const readmeTemplate = (file: string): string => {
    const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
    const m = new RegExp(`cat > ${file.replace('.', '\\.')} <<'YAML'\n([\\s\\S]*?)\nYAML\n`).exec(readme.slice(readme.indexOf('## Capsules')));
    assert.ok(m?.[1], `README has the ${file} template`);
    return templateFile(`readme-${file}`, m[1]);
  };

  test('the README\'s web server and sidecar work as written', async () => {
    ok(await pz.zun('demo', 'capsule-create', '-f', readmeTemplate('web.yaml')), 'capsule-create');
    const c = await settled('web', ['Running', 'Error']);
    assert.equal(c.status, 'Running', c.status_reason ?? '');
    const sidecar = c.containers.find((m) => m.command?.join(' ').includes('while'));
    assert.ok(sidecar);
    const got = await waitFor(async () => {
      const r = await pz.zun('demo', 'exec', sidecar.name, 'wget', '-q', '-O', '-', 'http://localhost:8080/');
      return r.code === 0 && r.stdout.trim() === 'hello' ? r.stdout : null;
    }, { timeoutMs: 20_000, what: 'the README sidecar to reach the server' });
    assert.equal(got.trim(), 'hello');
    assert.match(ok(await pz.zun('demo', 'exec', sidecar.name, 'ps'), 'exec ps'), /httpd -f -p 8080/);
    await deleteCapsule('web');
  });

  test('the README\'s init container preparing a file in a shared volume works as written', async () => {
    ok(await pz.zun('demo', 'capsule-create', '-f', readmeTemplate('init.yaml')), 'capsule-create');
    const c = await settled('prepared', ['Running', 'Error']);
    assert.equal(c.status, 'Running', c.status_reason ?? '');
    assert.deepEqual(c.init_containers.map((m) => m.status), ['Stopped']);
    const app = c.containers[0];
    assert.ok(app);
    assert.equal(ok(await pz.zun('demo', 'exec', app.name, 'cat', '/data/state'), 'exec cat').trim(), 'ready');
    assert.match(ok(await pz.zun('demo', 'logs', app.name), 'logs'), /ready/);
    await deleteCapsule('prepared');
  });

  test('every row of a deleted capsule is gone', async () => {
    const rows = await pz.db.containers.list({ projectId: null, allProjects: true, containerType: null });
    assert.deepEqual(rows.filter((r) => r.container_type !== CONTAINER_TYPES.container).map((r) => r.name), []);
  });
});
