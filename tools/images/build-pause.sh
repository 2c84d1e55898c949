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

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
say() { printf '[build-pause] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

tag=localtest/pause:3.0
push=""
while [ $# -gt 0 ]; do
    case $1 in
        --docker-host) export DOCKER_HOST=${2:?--docker-host needs a value}; shift 2 ;;
        --tag) tag=${2:?--tag needs a value}; shift 2 ;;
        --push) push=${2:?--push needs a registry host:port}; shift 2 ;;
        -h|--help) usage ;;
        *) die "unknown argument: $1" ;;
    esac
done

command -v docker >/dev/null || die "the docker client is not installed"
docker version >/dev/null 2>&1 || die "no Docker engine answers at ${DOCKER_HOST:-the default socket}"
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
