# shellcheck shell=bash
# Sourced by kolla_start (haproxy), as root: its log directory, and the internal VIP on this host's interface when
# the deployment gives it one (HAPROXY_VIP_ADDRESS on the first loadbalancer host; there is no keepalived to move it).
mkdir -p /var/log/kolla/haproxy /run/haproxy
chown haproxy:kolla /var/log/kolla/haproxy
chown haproxy:haproxy /run/haproxy
if [[ -n ${HAPROXY_VIP_ADDRESS:-} ]]; then
    ip addr replace "${HAPROXY_VIP_ADDRESS}/32" dev "${HAPROXY_VIP_INTERFACE:-eth0}"
fi
