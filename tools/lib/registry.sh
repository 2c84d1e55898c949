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

registry_has_busybox() { curl -sf -m 3 "http://$REGISTRY_ADDR/v2/busybox/tags/list" 2>/dev/null | grep -q '"latest"'; }
registry_has_pause() { curl -sf -m 3 "http://$REGISTRY_ADDR/v2/kubernetes/pause/tags/list" 2>/dev/null | grep -q '"3.0"'; }

# The sandbox image of capsules ([capsule] sandbox_image), seeded beside busybox.
ensure_pause_image() {
    if registry_has_pause; then
        say "registry: pause already seeded at $REGISTRY_ADDR"
        return 0
    fi
    DOCKER_HOST=$(<"$STATE/docker-host") "$REPO/tools/images/build-pause.sh" --push "$REGISTRY_ADDR" \
        >>"$LOG_DIR/images.log" 2>&1 || { tail -20 "$LOG_DIR/images.log" >&2; die "seeding the pause image failed; see $LOG_DIR/images.log"; }
    say "registry: seeded pause at $REGISTRY_ADDR"
}

ensure_registry() {
    registry_ctl start
    ensure_pause_image
    if registry_has_busybox; then
        say "registry: busybox already seeded at $REGISTRY_ADDR"
        return 0
    fi
    DOCKER_HOST=$(<"$STATE/docker-host") "$REPO/tools/images/build-busybox.sh" --push "$REGISTRY_ADDR" \
        >>"$LOG_DIR/images.log" 2>&1 || { tail -20 "$LOG_DIR/images.log" >&2; die "seeding the registry failed; see $LOG_DIR/images.log"; }
    say "registry: seeded busybox at $REGISTRY_ADDR"
}

stop_registry() { registry_ctl stop || true; }

registry_status() {
    if registry_ctl status >/dev/null 2>&1; then
        status_line registry up "$REGISTRY_ADDR"
    else
        status_line registry down ""
    fi
}
