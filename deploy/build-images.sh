#!/usr/bin/env bash
# Builds the Kolla-style images on a local Docker engine, from this checkout:
#   zun-ts/node20  ->  zun-ts/zun-base  ->  zun-ts/zun-{api,conductor,scheduler,compute,wsproxy}
#
#   deploy/build-images.sh [--tag TAG]      # default tag: latest; DOCKER_HOST is honoured
#
# Needs node 20, busybox-static and tini on this machine (tools/stack up installs
# them), a built dist/ (node tools/build.mjs) and node_modules. Nothing is pulled.
set -euo pipefail

tag=latest
while [ $# -gt 0 ]; do
    case $1 in
    --tag) tag=${2:?--tag needs a value}; shift 2 ;;
    *) echo "usage: build-images.sh [--tag TAG]" >&2; exit 2 ;;
    esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/zun-images.XXXXXX")
trap 'rm -rf "$work"' EXIT
say() { printf '[build-images] %s\n' "$*" >&2; }
build() { # TAG CONTEXT [ARGS...]
    local name=$1 ctx=$2 t0=$SECONDS
    shift 2
    # the legacy builder's deprecation notice is noise: show the output on failure only
    docker build -q --pull=false -t "$name" "$@" "$ctx" >"$work/build.log" 2>&1 ||
        { cat "$work/build.log" >&2; say "building $name failed"; exit 1; }
    say "$name built ($((SECONDS - t0))s)"
}

for f in dist/apps/api/main.js dist/tools/kolla_set_configs.js dist/tools/kolla_healthcheck.js; do
    [ -f "$repo/$f" ] || { say "$f is missing: node tools/build.mjs"; exit 1; }
done

# 1. node20: busybox + tini + node from this machine
"$here/images/node20/make-rootfs.sh" "$work/node20" >/dev/null
build "zun-ts/node20:$tag" "$work/node20"

# 2. zun-base: dist/ and the production dependencies only
base="$work/zun-base"
mkdir -p "$base/opt/zun-ts" "$base/etc/zun" "$base/kolla"
cp -a "$repo/dist" "$base/opt/zun-ts/dist"
cp "$repo/package.json" "$repo/package-lock.json" "$base/opt/zun-ts/"
cp -a "$repo/node_modules" "$base/opt/zun-ts/node_modules"
# npm prune needs the workspaces' package.json files to read the tree
for ws in "$repo"/apps/* "$repo"/libs/*; do
    mkdir -p "$base/opt/zun-ts/${ws#"$repo"/}"
    cp "$ws/package.json" "$base/opt/zun-ts/${ws#"$repo"/}/"
done
(cd "$base/opt/zun-ts" && npm prune --omit=dev --no-audit --no-fund >/dev/null 2>&1)
# the libs are bundled into dist/: their workspace links are not needed
rm -rf "$base/opt/zun-ts/node_modules/@zun-ts" "$base/opt/zun-ts/apps" "$base/opt/zun-ts/libs"
cp "$repo/apps/api/etc/api-paste.ini" "$base/etc/zun/"
cp "$here/images/zun-base/kolla/kolla_start" "$here/images/zun-base/kolla/kolla_set_configs" \
    "$here/images/zun-base/kolla/healthcheck" "$base/kolla/"
cp "$repo/dist/tools/kolla_set_configs.js" "$repo/dist/tools/kolla_healthcheck.js" "$base/kolla/"
build "zun-ts/zun-base:$tag" "$base" -f "$here/images/zun-base/Dockerfile" \
    --build-arg "NODE20_IMAGE=zun-ts/node20:$tag"

# 3. one image per service
for svc in api conductor scheduler compute wsproxy; do
    build "zun-ts/zun-$svc:$tag" "$here/images/zun-$svc" --build-arg "ZUN_BASE_IMAGE=zun-ts/zun-base:$tag"
done
docker images --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep "^zun-ts/" >&2
