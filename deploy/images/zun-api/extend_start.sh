# Sourced by kolla_start (zun-api). Kolla runs a one-shot container with
# KOLLA_BOOTSTRAP set before (re)starting the services: migrate, then stop.
# The migration runs as the service user, who owns the database files.
if [ -n "${KOLLA_BOOTSTRAP+set}" ]; then
    if [ "$(id -u)" = 0 ] && [ "${KOLLA_RUN_AS:-zun}" != root ]; then
        su -p -s /bin/sh -c "node /opt/zun-ts/bin/zun-manage.js --config-file /etc/zun/zun.conf db sync" "${KOLLA_RUN_AS:-zun}"
    else
        node /opt/zun-ts/bin/zun-manage.js --config-file /etc/zun/zun.conf db sync
    fi
    exit 0
fi
