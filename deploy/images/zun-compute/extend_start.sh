# Sourced by kolla_start (zun-compute). The service user needs the group that
# owns the host's Docker socket, whose gid differs from host to host.
sock=/var/run/docker.sock
if [ -S "$sock" ]; then
    gid=$(stat -c %g "$sock")
    if awk -F: -v g="$gid" '$3 == g { found = 1 } END { exit !found }' /etc/group; then
        awk -F: -v OFS=: -v g="$gid" '$3 == g && ("," $4 ",") !~ /,zun,/ { $4 = ($4 == "" ? "zun" : $4 ",zun") } { print }' \
            /etc/group >/tmp/group.new
        cat /tmp/group.new >/etc/group
        rm -f /tmp/group.new
    else
        printf 'docker-host:x:%s:zun\n' "$gid" >>/etc/group
    fi
else
    echo "zun-compute: $sock is not mounted; the service cannot reach Docker" >&2
fi
