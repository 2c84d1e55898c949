# shellcheck shell=bash
# Simulated compute hosts: one network namespace per host (zsim1..zsimN) on the
# bridge br-zsim (10.99.0.1/24), each running its own dockerd, plus a registry
# on the bridge address that every host can pull from. Sourced by tools/sim-hosts
# after tools/lib/common.sh (spawn, pid_of, stop_pid, alive, show_log_tail).
#
# Why network namespaces: a second dockerd in the host's own namespace either
# rewrites the first daemon's iptables chains or deletes its docker0. A dockerd
# in its own namespace has its own docker0 and iptables and touches nothing else.
#
# Layout of the state dir (SIM_STATE):
#   zsimK/  data/ (data root), exec/ (exec root, unless the path is too long),
#           docker.sock, dockerd.pid(+.start), dockerd.log, daemon.json, args
#   registry/  the registry.sh dir: config.yml, data (own dir, or a link to the
#              storage of the registry named by --registry), registry.pid, .log
#   hosts   the hosts `up` made (one name a line)

: "${SIM_STATE:?tools/sim-hosts sets SIM_STATE before sourcing this file}"
: "${REPO:?tools/sim-hosts sets REPO before sourcing this file}"

SIM_BRIDGE=br-zsim
SIM_GATEWAY=10.99.0.1
SIM_PREFIX=24
SIM_REGISTRY_ADDR=$SIM_GATEWAY:5050
SIM_REGISTRY_DIR="$SIM_STATE/registry"
# Which state dir the hosts of this machine belong to: netns, bridge and
# registry address are machine-wide, so only one set of sim hosts can exist.
SIM_OWNER_FILE=/run/zun-sim-hosts.owner
# The bridge sits behind br_netfilter and the FORWARD policy is DROP (Docker's):
# traffic between two hosts needs this rule. It must come first in FORWARD and
# in DOCKER-USER: dockerd moves its jump to DOCKER-USER to the top of FORWARD
# when it starts, and a zun-compute of this machine (the stack's) drops UDP
# 4789 in DOCKER-USER, which would drop the VXLAN between the sim hosts.
SIM_FORWARD_RULE=(-i "$SIM_BRIDGE" -o "$SIM_BRIDGE" -j ACCEPT)

sim_name() { printf 'zsim%s\n' "$1"; }
sim_veth() { printf 'vzsim%s\n' "$1"; } # host side; the namespace side is eth0
sim_addr() { printf '10.99.0.%s\n' "$((10 + $1))"; }
sim_dir() { printf '%s/zsim%s\n' "$SIM_STATE" "$1"; }
sim_sock() { printf '%s/docker.sock\n' "$(sim_dir "$1")"; }
sim_pidfile() { printf '%s/dockerd.pid\n' "$(sim_dir "$1")"; }
sim_log() { printf '%s/dockerd.log\n' "$(sim_dir "$1")"; }

# containerd puts its socket under the exec root and a unix socket path holds at
# most 108 bytes: a deep state dir gets a short exec root in /run instead.
sim_exec_root() {
    local root
    root="$(sim_dir "$1")/exec"
    if [ ${#root} -gt 60 ]; then
        root="/run/zsim-$(printf '%s' "$SIM_STATE" | cksum | cut -d' ' -f1)/$1"
    fi
    printf '%s\n' "$root"
}

netns_exists() { [ -e "/run/netns/$1" ]; }
link_exists() { ip link show dev "$1" >/dev/null 2>&1; }

docker_sock_answers() { # SOCKET
    [ -S "$1" ] && [ "$(curl -s -m 3 --unix-socket "$1" http://docker/_ping 2>/dev/null)" = OK ]
}

# The host numbers that exist in any form: a state dir, a netns or a veth.
sim_known_hosts() {
    {
        local d n
        for d in "$SIM_STATE"/zsim*; do
            [ -d "$d" ] || continue
            n=${d##*/zsim}
            [[ $n =~ ^[0-9]+$ ]] && printf '%s\n' "$n"
        done
        ip netns list 2>/dev/null | awk '{ print $1 }' | sed -n 's/^zsim\([0-9][0-9]*\)$/\1/p'
        ip -o link show 2>/dev/null | sed -n 's/^[0-9]*: vzsim\([0-9][0-9]*\)[@:].*/\1/p'
    } | sort -n -u
}

# ----------------------------------------------------------------- ownership
sim_check_owner() {
    local owner
    [ -s "$SIM_OWNER_FILE" ] || return 0
    owner=$(<"$SIM_OWNER_FILE")
    [ "$owner" = "$SIM_STATE" ] && return 0
    # a state dir that is gone cannot have anything running
    [ -d "$owner" ] || return 0
    if netns_exists zsim1 || link_exists "$SIM_BRIDGE"; then
        die "the sim hosts on this machine belong to the state dir $owner; run: tools/sim-hosts down --state $owner"
    fi
}

# ----------------------------------------------------------------- network
sim_ensure_bridge() {
    if ! link_exists "$SIM_BRIDGE"; then
        ip link add "$SIM_BRIDGE" type bridge
    fi
    if ! ip -4 -o addr show dev "$SIM_BRIDGE" | grep -qF " $SIM_GATEWAY/$SIM_PREFIX "; then
        ip addr add "$SIM_GATEWAY/$SIM_PREFIX" dev "$SIM_BRIDGE"
    fi
    ip link set "$SIM_BRIDGE" up
    sim_rule_first FORWARD
    if iptables -n -L DOCKER-USER >/dev/null 2>&1; then sim_rule_first DOCKER-USER; fi
}

# sim_rule_first CHAIN: SIM_FORWARD_RULE once, as the chain's first rule
sim_rule_first() {
    local chain=$1
    iptables -S "$chain" 1 2>/dev/null | grep -qxF -- "-A $chain ${SIM_FORWARD_RULE[*]}" && return 0
    while iptables -C "$chain" "${SIM_FORWARD_RULE[@]}" 2>/dev/null; do
        iptables -D "$chain" "${SIM_FORWARD_RULE[@]}"
    done
    iptables -I "$chain" 1 "${SIM_FORWARD_RULE[@]}"
}

sim_remove_bridge() {
    if link_exists "$SIM_BRIDGE"; then
        ip link del "$SIM_BRIDGE"
        say "bridge $SIM_BRIDGE deleted"
    fi
    local chain
    for chain in FORWARD DOCKER-USER; do
        while iptables -C "$chain" "${SIM_FORWARD_RULE[@]}" 2>/dev/null; do
            iptables -D "$chain" "${SIM_FORWARD_RULE[@]}"
        done
    done
}

sim_ensure_netns() { # K
    local k=$1 ns veth addr
    ns=$(sim_name "$k")
    veth=$(sim_veth "$k")
    addr=$(sim_addr "$k")
    netns_exists "$ns" || ip netns add "$ns"
    if ! ip -n "$ns" link show dev eth0 >/dev/null 2>&1; then
        # a host side left over from an earlier namespace has lost its peer
        link_exists "$veth" && ip link del "$veth"
        ip link add "$veth" type veth peer name eth0 netns "$ns"
    fi
    ip link set "$veth" master "$SIM_BRIDGE" up
    ip -n "$ns" addr replace "$addr/$SIM_PREFIX" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" route replace default via "$SIM_GATEWAY"
}

# ----------------------------------------------------------------- registry
# The storage directory of the registry serving ADDR (host:port), found through
# the process listening there and its config file; empty when there is none.
registry_storage_of() { # ADDR
    local addr=$1 port pid cfg root
    port=${addr##*:}
    pid=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -F " $addr " | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2) || true
    [ -n "$pid" ] || return 0
    # docker-registry serve CONFIG
    cfg=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | awk 'prev == "serve" { print; exit } { prev = $0 }') || true
    [ -n "$cfg" ] || return 0
    case $cfg in /*) ;; *) cfg="$(readlink "/proc/$pid/cwd")/$cfg" ;; esac
    [ -r "$cfg" ] || return 0
    root=$(sed -n 's/^[[:space:]]*rootdirectory:[[:space:]]*//p' "$cfg" | head -n 1 | tr -d "\"'") || true
    [ -n "$root" ] && [ -d "$root" ] && printf '%s\n' "$root"
    return 0
}

sim_registry_ctl() { # start|stop|status
    # fd 9 is the lock of tools/sim-hosts: a registry started from here must not keep it
    "$REPO/tools/images/registry.sh" "$1" --dir "$SIM_REGISTRY_DIR" --addr "$SIM_REGISTRY_ADDR" 9>&-
}

registry_has() { # ADDR REPO
    curl -sf -m 3 "http://$1/v2/$2/tags/list" 2>/dev/null | grep -q '"latest"'
}

# SOURCE: the address of a registry whose storage the sim registry serves too
# (so everything pushed there can be pulled by every sim host), or "none".
sim_ensure_registry() { # SOURCE
    local source=$1 storage="" data="$SIM_REGISTRY_DIR/data"
    if sim_registry_ctl status >/dev/null 2>&1; then
        say "registry: already running on $SIM_REGISTRY_ADDR"
    else
        [ "$source" = none ] || storage=$(registry_storage_of "$source")
        mkdir -p "$SIM_REGISTRY_DIR"
        if [ -n "$storage" ]; then
            # Two registries on one storage is the setup distribution documents for
            # several instances; uploads stay with the instance that began them.
            if [ -L "$data" ] || [ ! -e "$data" ]; then
                ln -sfn "$storage" "$data"
            else
                rm -rf --one-file-system "$data"
                ln -s "$storage" "$data"
            fi
            say "registry: serving the storage of $source ($storage)"
        else
            [ "$source" = none ] || say "registry: no registry found on $source; using an own storage"
            [ -L "$data" ] && rm -f "$data"
            mkdir -p "$data"
        fi
        sim_registry_ctl start
    fi
    if ! registry_has "$SIM_REGISTRY_ADDR" busybox; then
        # pushed through host 1, whose daemon trusts the registry over plain HTTP
        "$REPO/tools/images/build-busybox.sh" --docker-host "unix://$(sim_sock 1)" --push "$SIM_REGISTRY_ADDR" \
            >>"$SIM_REGISTRY_DIR/seed.log" 2>&1 9>&- ||
            { show_log_tail "$SIM_REGISTRY_DIR/seed.log"; die "seeding busybox into $SIM_REGISTRY_ADDR failed"; }
        say "registry: seeded busybox at $SIM_REGISTRY_ADDR"
    fi
}

# ----------------------------------------------------------------- one host
# The dockerd command line of host K; LABELS holds "key=value" words.
sim_dockerd_args() { # K LABEL...
    local k=$1 dir label
    shift
    dir=$(sim_dir "$k")
    printf '%s\n' dockerd --config-file "$dir/daemon.json" --data-root "$dir/data" \
        --exec-root "$(sim_exec_root "$k")" --pidfile "$dir/dockerd.own.pid" \
        --host "unix://$(sim_sock "$k")" --tls=false \
        --insecure-registry "$SIM_REGISTRY_ADDR" \
        --cgroup-parent "/$(sim_name "$k")" --shutdown-timeout 5 \
        --label "zun.host=$(sim_name "$k")"
    for label in "$@"; do
        printf '%s\n' --label "$label"
    done
}

# Starts host K's dockerd unless it runs already with the same arguments; does
# not wait for it (sim_wait_host does).
sim_start_host() { # K LABEL...
    local k=$1 dir name args
    dir=$(sim_dir "$k")
    name=$(sim_name "$k")
    args=$(sim_dockerd_args "$@")
    if pid_of "$(sim_pidfile "$k")" >/dev/null; then
        if [ "$(cat "$dir/args" 2>/dev/null)" = "$args" ] && docker_sock_answers "$(sim_sock "$k")"; then
            say "$name: dockerd already running (pid $(<"$(sim_pidfile "$k")"))"
            return 0
        fi
        say "$name: dockerd runs with other settings; restarting it"
        sim_stop_host "$k"
    fi
    sim_ensure_netns "$k"
    # every start begins from an empty engine: no containers or images of earlier runs
    sim_wipe_host_data "$k"
    mkdir -p "$dir/data" "$(sim_exec_root "$k")"
    # an own (empty) config file: /etc/docker/daemon.json is the system engine's
    [ -s "$dir/daemon.json" ] || printf '{}\n' >"$dir/daemon.json"
    printf '%s\n' "$args" >"$dir/args"
    printf '\n===== %s starting %s\n' "$(date -u +%FT%TZ)" "$name" >>"$(sim_log "$k")"
    local -a argv
    mapfile -t argv <<<"$args"
    # nsenter, not `ip netns exec`: the latter remounts /sys, and dockerd would
    # find /sys/fs/cgroup empty. nsenter execs dockerd, so the pid is dockerd's.
    spawn "$(sim_pidfile "$k")" "$(sim_log "$k")" nsenter "--net=/run/netns/$name" "${argv[@]}" 9>&-
}

sim_wait_host() { # K
    local k=$1 deadline name
    name=$(sim_name "$k")
    deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
        docker_sock_answers "$(sim_sock "$k")" && return 0
        if ! pid_of "$(sim_pidfile "$k")" >/dev/null; then
            show_log_tail "$(sim_log "$k")"
            die "$name: dockerd exited during start-up; its log is $(sim_log "$k")"
        fi
        sleep 0.1
    done
    show_log_tail "$(sim_log "$k")"
    die "$name: dockerd did not answer within 60s; its log is $(sim_log "$k")"
}

# Mount points under DIR, deepest first.
mounts_under() { # DIR
    awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r
}

sim_wipe_host_data() { # K
    local k=$1 dir exec_root m
    dir=$(sim_dir "$k")
    exec_root=$(sim_exec_root "$k")
    for m in $(mounts_under "$dir") $(mounts_under "$exec_root"); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    if [ -n "$(mounts_under "$dir")" ]; then
        die "$(sim_name "$k"): something is still mounted under $dir; not deleting it"
    fi
    # --one-file-system: never follow into a mount that appeared meanwhile
    rm -rf --one-file-system "$dir/data" "$exec_root" "$dir/docker.sock" "$dir/dockerd.own.pid"
    [ "$exec_root" = "$dir/exec" ] || rmdir "${exec_root%/*}" 2>/dev/null || true
}

# Kills every process left in the host's namespace or in its container cgroups:
# the daemon's containerd, shims and proxies, and container processes, should
# the daemon have died without stopping them. All of them came from this host.
sim_kill_leftovers() { # K
    local k=$1 name pids cg round
    name=$(sim_name "$k")
    for round in 1 2 3 4 5 6 7 8 9 10; do
        pids=""
        netns_exists "$name" && pids=$(ip netns pids "$name" 2>/dev/null | tr '\n' ' ')
        for cg in /sys/fs/cgroup/*/"$name"; do
            [ -d "$cg" ] || continue
            pids="$pids $(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | tr '\n' ' ')"
        done
        pids=$(tr ' ' '\n' <<<"$pids" | grep -E '^[0-9]+$' | sort -u | tr '\n' ' ') || true
        [ -n "${pids// /}" ] || return 0
        [ "$round" = 1 ] && say "$name: killing leftover processes: $pids"
        # shellcheck disable=SC2086 # a list of pids
        kill -KILL $pids 2>/dev/null || true
        sleep 0.2
    done
    warn "$name: processes still alive after SIGKILL: $pids"
}

sim_remove_cgroups() { # K
    local name cg
    name=$(sim_name "$1")
    for cg in /sys/fs/cgroup/*/"$name"; do
        [ -d "$cg" ] || continue
        # children first; a cgroup directory is removed with rmdir, never rm
        find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
}

sim_stop_host() { # K
    local k=$1 name sock veth ids
    name=$(sim_name "$k")
    sock=$(sim_sock "$k")
    veth=$(sim_veth "$k")
    if pid_of "$(sim_pidfile "$k")" >/dev/null && docker_sock_answers "$sock"; then
        # force-removing is quicker than letting the daemon stop each container
        ids=$(timeout 20 docker -H "unix://$sock" ps -aq 2>/dev/null | tr '\n' ' ') || true
        if [ -n "${ids// /}" ]; then
            # shellcheck disable=SC2086 # a list of ids
            timeout 30 docker -H "unix://$sock" rm -f $ids >/dev/null 2>&1 || true
        fi
    fi
    stop_pid "$(sim_pidfile "$k")" "$name dockerd" 30
    sim_kill_leftovers "$k"
    sim_wipe_host_data "$k"
    # deleting one end of a veth pair deletes both, at once
    link_exists "$veth" && ip link del "$veth"
    if netns_exists "$name"; then
        ip netns del "$name"
        say "$name: network namespace deleted"
    fi
    sim_remove_cgroups "$k"
    return 0
}

sim_host_line() { # K
    local k=$1 name state labels
    name=$(sim_name "$k")
    if pid_of "$(sim_pidfile "$k")" >/dev/null && docker_sock_answers "$(sim_sock "$k")"; then
        state=up
    else
        state=down
    fi
    labels=$(sed -n '/^--label$/{n;p}' "$(sim_dir "$k")/args" 2>/dev/null | paste -sd, -) || true
    printf 'host=%s state=%s docker_host=unix://%s registry=%s address=%s labels=%s\n' \
        "$name" "$state" "$(sim_sock "$k")" "$SIM_REGISTRY_ADDR" "$(sim_addr "$k")" "$labels"
}
