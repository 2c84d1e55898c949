# shellcheck shell=bash
# Sourced by kolla_start (redis): its log directory on the kolla_logs volume.
mkdir -p /var/log/kolla/redis /var/lib/redis
chown redis:kolla /var/log/kolla/redis
chown redis:redis /var/lib/redis
