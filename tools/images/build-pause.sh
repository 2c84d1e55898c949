#!/usr/bin/env bash
# tools/images/build-pause.sh - the sandbox ("pause") image of capsules, built
# offline from tools/images/pause/pause.c (a static binary, nothing else).
#
#   tools/images/build-pause.sh [--docker-host unix:///path/docker.sock]
#                               [--tag localtest/pause:3.0] [--push REGISTRY]
#
# The process sleeps until SIGTERM/SIGINT (exit 0) and reaps orphans, as PID 1 of
# the PID namespace a capsule's containers share.
# --push REGISTRY (e.g. 127.0.0.1:5050) also tags and pushes the image as
#   REGISTRY/kubernetes/pause:3.0 and REGISTRY/kubernetes/pause:latest
#   (what Zun's default sandbox image `kubernetes/pause:3.0` becomes with
#   [docker] default_registry = REGISTRY).
# Installs gcc and the static C library with apt-get when they are missing.
set -euo pipefail

# shellcheck source=tools/images/image-script.sh
. "$(dirname "${BASH_SOURCE[0]}")/image-script.sh"
tag=localtest/pause:3.0
image_script_start "$@"
if ! command -v gcc >/dev/null || ! dpkg -s libc6-dev >/dev/null 2>&1; then
    say "installing gcc and libc6-dev"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y gcc libc6-dev >/dev/null ||
        die "apt-get install gcc libc6-dev failed (run apt-get update first?)"
fi

here=$(cd "$(dirname "$0")" && pwd)
rootfs=$(mktemp -d)
chmod 755 "$rootfs"
trap 'rm -rf "$rootfs"' EXIT
gcc -static -Os -s -o "$rootfs/pause" "$here/pause/pause.c" || die "compiling pause.c failed"
touch -d '2000-01-01 00:00:00' "$rootfs/pause"

tar --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00' -C "$rootfs" -c . |
    docker import -c 'ENTRYPOINT ["/pause"]' -m "capsule sandbox" - "$tag" >/dev/null
say "built $tag ($(stat -c %s "$rootfs/pause") bytes)"

if [ -n "$push" ]; then
    for ref in "$push/kubernetes/pause:3.0" "$push/kubernetes/pause:latest"; do
        docker tag "$tag" "$ref"
        docker push "$ref" >/dev/null || die "docker push $ref failed (is the registry at $push running?)"
        say "pushed $ref"
    done
fi
