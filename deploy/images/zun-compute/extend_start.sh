# shellcheck shell=bash
# Sourced by kolla_start (zun-compute). The host's Docker socket is mounted at
# /var/run/docker.sock (never TCP); user zun joins the group that owns it,
# whose gid differs from host to host. No privileged mode is needed.
sock=/var/run/docker.sock
if [[ -S $sock ]]; then
    gid=$(stat -c %g "$sock")
    group=$(getent group "$gid" | cut -d: -f1 || true)
    if [[ -z $group ]]; then
        group=docker-host
        groupadd --gid "$gid" "$group"
    fi
    usermod -a -G "$group" zun
else
    echo "zun-compute: $sock is not mounted; the service cannot reach Docker" >&2
fi
