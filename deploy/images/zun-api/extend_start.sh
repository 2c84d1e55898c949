# shellcheck shell=bash
# Sourced by kolla_start (zun-api). Kolla runs a one-shot bootstrap_zun
# container with KOLLA_BOOTSTRAP set before (re)starting the services: migrate
# the database as the service user, then stop.
if [[ -v KOLLA_BOOTSTRAP ]]; then
    setpriv --reuid=zun --regid=zun --init-groups -- node /opt/zun-ts/bin/zun-manage.js --config-file /etc/zun/zun.conf db sync
    exit 0
fi
