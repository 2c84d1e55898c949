"""The glance service user, the image service and its endpoints; safe to run again.

Input from the environment: KS_URL, KS_ADMIN_PASSWORD (the Keystone admin's),
KS_REGION, GLANCE_USER, GLANCE_PASSWORD and GLANCE_ENDPOINT.
"""
import os
import sys

from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client

URL = os.environ['KS_URL']
REGION = os.environ['KS_REGION']
USER = os.environ['GLANCE_USER']
PASSWORD = os.environ['GLANCE_PASSWORD']
ENDPOINT = os.environ['GLANCE_ENDPOINT']


def first(found):
    return found[0] if found else None


def can_log_in(name, password):
    try:
        v3.Password(auth_url=URL, username=name, password=password,
                    user_domain_id='default').get_token(session.Session())
        return True
    except Exception:  # noqa: BLE001 - any failure means "no"
        return False


def main():
    admin = v3.Password(auth_url=URL, username='admin',
                        password=os.environ['KS_ADMIN_PASSWORD'],
                        project_name='admin', user_domain_id='default',
                        project_domain_id='default')
    ks = client.Client(session=session.Session(auth=admin), endpoint_override=URL)

    project = (first(ks.projects.list(name='service', domain='default'))
               or ks.projects.create('service', 'default', description='Service users'))
    user = first(ks.users.list(name=USER, domain='default'))
    if user is None:
        user = ks.users.create(USER, domain='default', password=PASSWORD,
                               default_project=project)
    elif not can_log_in(USER, PASSWORD):
        # changing a password revokes the user's tokens: only when needed
        ks.users.update(user, password=PASSWORD)
    # glance validates tokens (service) and acts on every project's images (admin)
    for role_name in ('admin', 'service'):
        role = first(ks.roles.list(name=role_name)) or ks.roles.create(role_name)
        ks.roles.grant(role, user=user, project=project)

    service = (first(ks.services.list(type='image'))
               or ks.services.create('glance', 'image', description='Image service'))
    for interface in ('public', 'internal', 'admin'):
        found = ks.endpoints.list(service=service, interface=interface, region=REGION)
        if not found:
            ks.endpoints.create(service, ENDPOINT, interface=interface, region=REGION)
        for endpoint in found:
            if endpoint.url != ENDPOINT:
                ks.endpoints.update(endpoint, url=ENDPOINT)
    print('image service at %s in %s' % (ENDPOINT, URL), file=sys.stderr)


if __name__ == '__main__':
    main()
