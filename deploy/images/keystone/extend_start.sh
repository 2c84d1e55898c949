# shellcheck shell=bash
# Sourced by kolla_start (keystone).
mkdir -p /var/log/kolla/keystone
chown keystone:kolla /var/log/kolla/keystone
chown keystone:keystone /etc/keystone/fernet-keys
chmod 700 /etc/keystone/fernet-keys
if [[ -v KOLLA_BOOTSTRAP ]]; then
    as_keystone() { setpriv --reuid=keystone --regid=keystone --init-groups -- "$@"; }
    as_keystone keystone-manage db_sync
    if [[ ! -f /etc/keystone/fernet-keys/0 ]]; then
        as_keystone keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone
    fi
    as_keystone keystone-manage bootstrap --bootstrap-password "$KEYSTONE_ADMIN_PASSWORD" \
        --bootstrap-admin-url "$KEYSTONE_URL/v3" --bootstrap-internal-url "$KEYSTONE_URL/v3" \
        --bootstrap-public-url "$KEYSTONE_URL/v3" --bootstrap-region-id "$KEYSTONE_REGION"
    exit 0
fi
