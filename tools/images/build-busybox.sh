#!/usr/bin/env bash
# tools/images/build-busybox.sh - a small busybox image built offline (no Docker
# Hub) from Debian's busybox-static, for tests and demos.
#
#   tools/images/build-busybox.sh [--docker-host unix:///path/docker.sock]
#                                 [--tag localtest/busybox:latest] [--push REGISTRY]
#
# The image holds /bin/busybox plus one link per applet (`busybox --list`), so
# `httpd`, `wget`, `nc` ... run as plain commands, and CMD ["sh"].
# --push REGISTRY (e.g. 127.0.0.1:5050) also tags and pushes the image as
#   REGISTRY/library/busybox:latest   (Docker Hub's layout for official images)
#   REGISTRY/busybox:latest           (what Zun makes of `busybox` with
#                                      [docker] default_registry = REGISTRY)
# Installs busybox-static with apt-get when it is missing.
set -euo pipefail

# shellcheck source=tools/images/image-script.sh
. "$(dirname "${BASH_SOURCE[0]}")/image-script.sh"
tag=localtest/busybox:latest
image_script_start "$@"

BUSYBOX=/bin/busybox
# busybox-static, not the dynamically linked `busybox` package: the image has no libc.
if ! dpkg -s busybox-static >/dev/null 2>&1; then
    say "installing busybox-static"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y busybox-static >/dev/null ||
        die "apt-get install busybox-static failed (run apt-get update first?)"
fi

rootfs=$(mktemp -d)
chmod 755 "$rootfs" # it becomes the image's /: mktemp's 0700 would shut out every user but root
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,proc,sys,dev,var/log,var/run,tmp}
chmod 1777 "$rootfs/tmp"
cp "$BUSYBOX" "$rootfs/bin/busybox"
n=0
for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] && continue
    ln -s busybox "$rootfs/bin/$applet"
    n=$((n + 1))
done
cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP

# Fixed owner and mtime keep the layer identical from one build to the next.
tar --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00' -C "$rootfs" -c . |
    docker import -c 'CMD ["sh"]' -m "busybox-static $(dpkg-query -W -f '${Version}' busybox-static)" - "$tag" >/dev/null
say "built $tag ($n applets)"

if [ -n "$push" ]; then
    for ref in "$push/library/busybox:latest" "$push/busybox:latest"; do
        docker tag "$tag" "$ref"
        docker push "$ref" >/dev/null || die "docker push $ref failed (is the registry at $push running?)"
        say "pushed $ref"
    done
fi
