// Registers Zun in the Keystone this tool deployed (Kolla's
// service-ks-register): project `service`, user zun with role admin on it,
// service `zun` of type `container` and its public and internal endpoints.
// Idempotent: what exists is kept, a changed password or URL is updated.

export interface KsRegistration {
  /** Keystone's URL without /v3. */
  url: string;
  adminPassword: string;
  region: string;
  user: string;
  password: string;
  /** Zun's endpoint, e.g. http://10.0.0.10:9517/v1. */
  endpoint: string;
}

type Json = Record<string, unknown>;

async function call(url: string, method: string, token: string | null, body?: Json): Promise<{ status: number; json: Json; token: string | null }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { 'x-auth-token': token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Json) : {};
  if (res.status >= 400) throw new Error(`Keystone ${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return { status: res.status, json, token: res.headers.get('x-subject-token') };
}

function list(json: Json, key: string): Json[] {
  return (json[key] as Json[] | undefined) ?? [];
}

/** A token of Keystone's admin user scoped to project admin. `url` without /v3. */
export async function adminToken(url: string, adminPassword: string): Promise<string> {
  const auth = await call(`${url}/v3/auth/tokens`, 'POST', null, {
    auth: {
      identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: adminPassword } } },
      scope: { project: { name: 'admin', domain: { id: 'default' } } },
    },
  });
  if (!auth.token) throw new Error('Keystone returned no token for admin');
  return auth.token;
}

/** Steps taken, for the report (empty: everything was in place). */
export async function registerZun(r: KsRegistration): Promise<string[]> {
  const v3 = `${r.url}/v3`;
  const done: string[] = [];
  const token = await adminToken(r.url, r.adminPassword);
  const get = async (path: string, key: string): Promise<Json | undefined> => list((await call(`${v3}${path}`, 'GET', token)).json, key)[0];

  let project = await get('/projects?name=service&domain_id=default', 'projects');
  if (!project) {
    project = (await call(`${v3}/projects`, 'POST', token, { project: { name: 'service', domain_id: 'default', description: 'Service users' } })).json['project'] as Json;
    done.push('project service');
  }
  let user = await get(`/users?name=${encodeURIComponent(r.user)}&domain_id=default`, 'users');
  if (!user) {
    user = (await call(`${v3}/users`, 'POST', token, { user: { name: r.user, domain_id: 'default', password: r.password, enabled: true } })).json['user'] as Json;
    done.push(`user ${r.user}`);
  } else {
    // the password may have changed in passwords.yml; setting it again is harmless
    await call(`${v3}/users/${String(user['id'])}`, 'PATCH', token, { user: { password: r.password } });
  }
  const role = await get('/roles?name=admin', 'roles');
  if (!role) throw new Error('Keystone has no role "admin" (was keystone-manage bootstrap run?)');
  await call(`${v3}/projects/${String(project['id'])}/users/${String(user['id'])}/roles/${String(role['id'])}`, 'PUT', token);

  let service = await get('/services?type=container', 'services');
  if (!service) {
    service = (await call(`${v3}/services`, 'POST', token, { service: { name: 'zun', type: 'container', description: 'Container Service' } })).json['service'] as Json;
    done.push('service zun (container)');
  }
  const endpoints = list((await call(`${v3}/endpoints?service_id=${String(service['id'])}`, 'GET', token)).json, 'endpoints');
  for (const iface of ['public', 'internal']) {
    const e = endpoints.find((x) => x['interface'] === iface);
    if (!e) {
      await call(`${v3}/endpoints`, 'POST', token, { endpoint: { service_id: service['id'], interface: iface, url: r.endpoint, region_id: r.region } });
      done.push(`${iface} endpoint ${r.endpoint}`);
    } else if (e['url'] !== r.endpoint) {
      await call(`${v3}/endpoints/${String(e['id'])}`, 'PATCH', token, { endpoint: { url: r.endpoint } });
      done.push(`${iface} endpoint now ${r.endpoint}`);
    }
  }
  return done;
}
