# shellcheck shell=bash
# Debian packages the stack (and the integration tests) need.

STACK_PACKAGES=(
    # daemons the stack runs
    docker.io redis-server mariadb-server
    # Keystone, served by uwsgi, and the clients used to provision and try it
    keystone uwsgi-core uwsgi-plugin-python3 python3-openstackclient python3-keystoneclient
    python3-zunclient
    # Glance, the image service (image_driver glance, zun commit); it may upgrade the systemd
    # packages to the current point release, which is harmless where no systemd runs
    glance-api
    # probes and networking
    curl iproute2
    # project networks (ADR 0007): bridges and VXLAN (iproute2), the gateway ARP filter (ebtables-nft) and the VXLAN guard
    iptables
    # a real terminal for the interactive console tests (zun run -i, attach, exec -i)
    tmux
    # a headless browser for the web console's end-to-end test (driven by puppeteer-core)
    chromium
    # certificates for the wss:// test
    openssl
    # local image registry and a tiny static busybox for test images; htpasswd (bcrypt) for its authenticated twin
    docker-registry busybox-static apache2-utils
    # a data root on which Docker enforces --disk: xfs with project quotas, or btrfs
    xfsprogs btrfs-progs
    # the root file system of the Kolla-style images (zun-kolla build)
    debootstrap
    # the linter of the shell scripts (tools/stack test)
    shellcheck
)

# Prints the packages from the list that are not installed.
missing_packages() {
    local pkg status
    for pkg in "${STACK_PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
        [ "${status:0:2}" = ii ] || printf '%s\n' "$pkg"
    done
}

ensure_packages() {
    local need=() pkg
    mapfile -t need < <(missing_packages)
    if [ ${#need[@]} -eq 0 ]; then
        say "packages: all ${#STACK_PACKAGES[@]} present"
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "missing packages: ${need[*]} (run as root, or install them first)"
    say "packages: installing ${need[*]}"

    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get -q -o DPkg::Lock::Timeout=600
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    local log="$STATE/log/apt.log"
    mkdir -p "$STATE/log"

    # Refresh the package lists only when one of the names is unknown to them.
    for pkg in "${need[@]}"; do
        if ! apt-cache show --no-all-versions "$pkg" >/dev/null 2>&1; then
            say "packages: $pkg is not in the package lists; running apt-get update"
            "${apt[@]}" update >>"$log" 2>&1 || { show_log_tail "$log"; die "apt-get update failed"; }
            break
        fi
    done

    # Packages must not start their own services while being installed (keystone
    # would take 0.0.0.0:5000, glance 9292, redis 6379...): every daemon is started by us.
    # Debian's invoke-rc.d asks /usr/sbin/policy-rc.d; exit status 101 = "not allowed".
    local guard=/usr/sbin/policy-rc.d made_guard=0
    if [ ! -e "$guard" ]; then
        printf '#!/bin/sh\n# temporary, from tools/stack: no service starts during install\nexit 101\n' >"$guard"
        chmod 755 "$guard"
        made_guard=1
    fi
    local rc=0
    "${apt[@]}" install -y --no-install-recommends "${need[@]}" >>"$log" 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
        # typically stale lists (a 404 on a superseded .deb)
        say "packages: install failed (exit $rc); apt-get update and one more try"
        rc=0
        { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends "${need[@]}"; } >>"$log" 2>&1 || rc=$?
    fi
    [ $made_guard = 1 ] && rm -f "$guard"
    if [ $rc -ne 0 ]; then
        show_log_tail "$log" 40
        die "apt-get install failed; see $log"
    fi
    mapfile -t need < <(missing_packages)
    [ ${#need[@]} -eq 0 ] || die "still missing after install: ${need[*]}"
}
