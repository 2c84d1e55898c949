"""Projects, users, roles and the zun catalog entry; safe to run again.

Input from the environment: KS_URL, KS_PASSWORD (every user's password),
KS_REGION and KS_ZUN_ENDPOINT (empty: no zun entry).
"""
import os
import sys

from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client

URL = os.environ['KS_URL']
PASSWORD = os.environ['KS_PASSWORD']
REGION = os.environ['KS_REGION']
ZUN_ENDPOINT = os.environ.get('KS_ZUN_ENDPOINT', '').strip()

# user -> (default project, roles on it)
USERS = {
    'zun': ('service', ('admin', 'service')),
    'demo': ('demo', ('member',)),
    'alt_demo': ('alt_demo', ('member',)),
}
PROJECTS = {
    'service': 'Service users',
    'demo': 'Demo project',
    'alt_demo': 'Second demo project',
}


def first(found):
    return found[0] if found else None


def can_log_in(name):
    try:
        v3.Password(auth_url=URL, username=name, password=PASSWORD,
                    user_domain_id='default').get_token(session.Session())
        return True
    except Exception:  # noqa: BLE001 - any failure means "no"
        return False


def main():
    admin = v3.Password(auth_url=URL, username='admin', password=PASSWORD,
                        project_name='admin', user_domain_id='default',
                        project_domain_id='default')
    ks = client.Client(session=session.Session(auth=admin), endpoint_override=URL)

    # bootstrap made admin, member and reader (admin implies member implies reader)
    roles = {}
    for name in ('admin', 'member', 'reader', 'service'):
        roles[name] = first(ks.roles.list(name=name)) or ks.roles.create(name)

    projects = {'admin': first(ks.projects.list(name='admin', domain='default'))}
    for name, description in PROJECTS.items():
        projects[name] = (first(ks.projects.list(name=name, domain='default'))
                          or ks.projects.create(name, 'default', description=description))

    for name, (project_name, role_names) in USERS.items():
        project = projects[project_name]
        user = first(ks.users.list(name=name, domain='default'))
        if user is None:
            user = ks.users.create(name, domain='default', password=PASSWORD,
                                   default_project=project)
        else:
            # changing a password revokes the user's tokens: only when needed
            if not can_log_in(name):
                ks.users.update(user, password=PASSWORD)
            if getattr(user, 'default_project_id', None) != project.id:
                ks.users.update(user, default_project=project)
        for role_name in role_names:
            ks.roles.grant(roles[role_name], user=user, project=project)

    # the admin user logs in project-scoped without naming a project, too
    admin_user = first(ks.users.list(name='admin', domain='default'))
    if getattr(admin_user, 'default_project_id', None) != projects['admin'].id:
        ks.users.update(admin_user, default_project=projects['admin'])

    if ZUN_ENDPOINT:
        service = (first(ks.services.list(type='container', name='zun'))
                   or ks.services.create('zun', 'container',
                                         description='Container service'))
        for interface in ('public', 'internal'):
            found = ks.endpoints.list(service=service, interface=interface,
                                      region=REGION)
            if not found:
                ks.endpoints.create(service, ZUN_ENDPOINT, interface=interface,
                                    region=REGION)
            for endpoint in found:
                if endpoint.url != ZUN_ENDPOINT:
                    ks.endpoints.update(endpoint, url=ZUN_ENDPOINT)
    print('keystone provisioned at %s' % URL, file=sys.stderr)


if __name__ == '__main__':
    main()
