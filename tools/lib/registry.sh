# shellcheck shell=bash
# A local image registry on loopback (not on port 5000, which is Keystone's),
# seeded with a busybox image built offline, so that `zun run busybox ...` works,
# and with the sandbox (pause) image of capsules
# on a machine that cannot reach Docker Hub: zun.conf's [docker] default_registry
# points unqualified image names here.

: "${STATE:?tools/stack sets STATE before sourcing this file}"

REGISTRY_ADDR=127.0.0.1:5050
REGISTRY_DIR="$STATE/registry"

registry_ctl() { ZUN_REGISTRY_DIR="$REGISTRY_DIR" "$REPO/tools/images/registry.sh" "$1" --dir "$REGISTRY_DIR" --addr "$REGISTRY_ADDR"; }

# Whether the registry holds IMAGE:TAG.
registry_has() { curl -sf -m 3 "http://$REGISTRY_ADDR/v2/$1/tags/list" 2>/dev/null | grep -q "\"$2\""; }

# Seeds IMAGE:TAG with tools/images/SCRIPT unless the registry has it already.
seed_image() { # NAME IMAGE TAG SCRIPT
    local name=$1 image=$2 tag=$3 script=$4
    if registry_has "$image" "$tag"; then
        say "registry: $name already seeded at $REGISTRY_ADDR"
        return 0
    fi
    DOCKER_HOST=$(<"$STATE/docker-host") "$REPO/tools/images/$script" --push "$REGISTRY_ADDR" \
        >>"$LOG_DIR/images.log" 2>&1 || { tail -20 "$LOG_DIR/images.log" >&2; die "seeding the $name image failed; see $LOG_DIR/images.log"; }
    say "registry: seeded $name at $REGISTRY_ADDR"
}

# busybox for tests and demos, and the sandbox image of capsules ([capsule] sandbox_image).
ensure_registry() {
    registry_ctl start
    seed_image pause kubernetes/pause 3.0 build-pause.sh
    seed_image busybox busybox latest build-busybox.sh
}

stop_registry() { registry_ctl stop || true; }

registry_status() {
    if registry_ctl status >/dev/null 2>&1; then
        status_line registry up "$REGISTRY_ADDR"
    else
        status_line registry down ""
    fi
}
