#!/usr/bin/env bash
# tools/images/build-mariadb.sh - a MariaDB server image built offline (no Docker
# Hub) from Debian bookworm's mariadb-server, for the database-on-a-volume demo.
#
#   tools/images/build-mariadb.sh [--docker-host unix:///path/docker.sock]
#                                 [--tag localtest/mariadb:latest] [--push REGISTRY]
#                                 [--rebuild] [--mirror URL]
#
# Steps, each skipped when its result is already in the engine:
#  1. base image localtest/debian:bookworm-minbase: `debootstrap --variant=minbase
#     bookworm` (debootstrap is installed with apt-get when missing) from the
#     Debian mirror named in this machine's apt sources (or --mirror URL), then
#     `docker import`. Needs root; 1 to 5 minutes, by the mirror's speed.
#  2. the image (about 2 minutes, 377 MB): `docker build` FROM the base, `apt-get install mariadb-server`
#     (containers must reach the mirror), and mariadb-entrypoint.sh, which
#     works like the official image's entrypoint for the usual settings:
#       MARIADB_ROOT_PASSWORD             root's password (root@localhost and root@'%')
#       MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1  or an empty one; without either the
#                                         container refuses to start
#       MARIADB_DATABASE                  a database to create
#       MARIADB_USER, MARIADB_PASSWORD    a user ('%') with all rights on it
#     (MYSQL_* names are accepted too). They apply only when /var/lib/mysql holds
#     no `mysql` system database; a volume that has one is used as it is, so the
#     data outlives the container. A fresh file system's lost+found is ignored.
#     Then `mariadbd --user=mysql --bind-address=0.0.0.0` on port 3306.
#     --rebuild builds this image again; Docker's layer cache keeps the apt-get
#     layer unless its line changed (remove the image first for fresh packages;
#     the base is reused unless removed too).
# --push REGISTRY (e.g. 127.0.0.1:5050) also tags and pushes the image as
#   REGISTRY/library/mariadb:latest and REGISTRY/mariadb:latest (see build-busybox.sh).
#
# Try it:  docker run -d -e MARIADB_ROOT_PASSWORD=pw -v DIR:/var/lib/mysql IMAGE
#          docker exec CONTAINER mariadb -uroot -ppw -e 'select 1'
set -euo pipefail

# shellcheck source=tools/images/image-script.sh
. "$(dirname "${BASH_SOURCE[0]}")/image-script.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASE=localtest/debian:bookworm-minbase
SUITE=bookworm
tag=localtest/mariadb:latest
rebuild=0
mirror=""
extra_arg() {
    case $1 in
        --rebuild) rebuild=1; shifted=1 ;;
        --mirror) mirror=${2:?--mirror needs a URL}; shifted=2 ;;
        *) return 1 ;;
    esac
}
image_script_start "$@"
# The engine's own builder: the client may have no buildx plugin.
export DOCKER_BUILDKIT=0

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The first Debian archive (a `deb` source with a suite such as bookworm, not
# bookworm-security) in /etc/apt/sources.list, *.list and deb822 *.sources.
apt_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                if (i + 1 <= NF && $(i + 1) !~ /-/) { print $i; exit }
            }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'function flush(   n, s, u, i) {
                if (types ~ /(^| )deb( |$)/ && enabled != "no") {
                    n = split(suites, s, " ")
                    for (i = 1; i <= n; i++) if (s[i] !~ /-/) { split(uris, u, " "); print u[1]; done = 1; exit }
                }
                types = uris = suites = enabled = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            {
                key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
                if (key == "types") types = $0
                else if (key == "uris") uris = $0
                else if (key == "suites") suites = $0
                else if (key == "enabled") enabled = tolower($0)
            }
            END { if (!done) flush() }' "$f"
    done
}

# Step 1: the Debian base image.
make_base() {
    [ "$(id -u)" = 0 ] || die "debootstrap needs root (or import $BASE yourself)"
    if ! command -v debootstrap >/dev/null; then
        say "installing debootstrap"
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y debootstrap >/dev/null 2>&1 ||
            die "apt-get install debootstrap failed (run apt-get update first?)"
    fi
    [ -n "$mirror" ] || mirror=$(apt_mirror | head -n 1)
    [ -n "$mirror" ] || die "no Debian mirror in the apt sources; pass --mirror URL"

    rootfs=$(mktemp -d)
    chmod 755 "$rootfs" # it becomes the image's /: mktemp's 0700 would shut out every user but root
    say "debootstrap --variant=minbase $SUITE from $mirror"
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 ||
        { tail -20 "$rootfs.log" >&2; die "debootstrap failed"; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar --numeric-owner -C "$rootfs" -c . |
        docker import -c 'CMD ["/bin/bash"]' -m "debootstrap --variant=minbase $SUITE" - "$BASE" >/dev/null
    say "imported $BASE"
}

# Removes the temporary trees; debootstrap may leave /proc or /sys mounted in
# the rootfs when it fails, and rm must not walk into them.
cleanup() {
    if [ -n "${rootfs:-}" ] && [ -d "$rootfs" ]; then
        local m
        awk -v r="$rootfs/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
            while read -r m; do umount -l "$m" || true; done
        rm -rf --one-file-system "$rootfs" "$rootfs.log"
    fi
    [ -z "${ctx:-}" ] || rm -rf "$ctx" "$ctx.log"
}
rootfs=""
ctx=""
trap cleanup EXIT

# Step 2: the MariaDB image.
write_context() {
    cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $BASE
# policy-rc.d: the package must not start the server during the build. The
# datadir the package creates is emptied: the entrypoint makes a fresh one.
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \\
 && apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \\
 && rm -rf /var/lib/mysql && mkdir -p /var/lib/mysql /run/mysqld \\
 && chown mysql:mysql /var/lib/mysql /run/mysqld \\
 && printf '[mariadbd]\nskip-name-resolve\nignore-db-dirs=lost+found\n' >/etc/mysql/mariadb.conf.d/90-container.cnf
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
EXPOSE 3306
CMD ["mariadbd"]
DOCKERFILE
    cp "$HERE/mariadb-entrypoint.sh" "$ctx/docker-entrypoint.sh"
    chmod 755 "$ctx/docker-entrypoint.sh"
}

if have_image "$tag" && [ "$rebuild" = 0 ]; then
    say "$tag is already in the engine (--rebuild builds it again)"
else
    if have_image "$BASE"; then
        say "reusing $BASE"
    else
        make_base
    fi
    ctx=$(mktemp -d)
    write_context
    say "building $tag (apt-get install mariadb-server)"
    t0=$(date +%s)
    docker build -t "$tag" "$ctx" >"$ctx.log" 2>&1 ||
        { tail -20 "$ctx.log" >&2; die "docker build failed (can containers reach the Debian mirror?)"; }
    # As the mysql user: the server runs as that user, so the image must let it in.
    version=$(docker run --rm --user mysql --entrypoint mariadbd "$tag" --version) ||
        die "mariadbd does not run as the mysql user in $tag"
    say "built $tag in $(($(date +%s) - t0)) s: $version"
fi

if [ -n "$push" ]; then
    for ref in "$push/library/mariadb:latest" "$push/mariadb:latest"; do
        docker tag "$tag" "$ref"
        docker push "$ref" >/dev/null || die "docker push $ref failed (is the registry at $push running?)"
        say "pushed $ref"
    done
fi
