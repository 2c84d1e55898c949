# shellcheck shell=bash
# The Docker engine zun-compute drives. An engine already answering on the
# system socket is used as it is; otherwise the stack runs its own dockerd with
# every path (data, exec root, pid file, socket) under the state dir.

: "${STATE:?tools/stack sets STATE before sourcing this file}"

SYSTEM_DOCKER_SOCK=/var/run/docker.sock
DOCKER_DIR="$STATE/docker"
DOCKER_SOCK="$DOCKER_DIR/docker.sock"
DOCKER_PIDFILE="$DOCKER_DIR/dockerd.pid"
DOCKER_LOG="$STATE/log/dockerd.log"
DOCKER_HOST_FILE="$STATE/docker-host"   # the DOCKER_HOST value everyone should use

docker_answers() { # SOCKET
    [ -S "$1" ] && [ "$(curl -s -m 3 --unix-socket "$1" http://docker/_ping 2>/dev/null)" = OK ]
}

# containerd puts its socket under the exec root, and a unix socket path is
# limited to 108 bytes: with a deep state dir, use a short exec root in /run.
docker_exec_root() {
    local root="$DOCKER_DIR/exec"
    if [ ${#root} -gt 60 ]; then
        root="/run/zun-stack-$(printf '%s' "$STATE" | cksum | cut -d' ' -f1)"
    fi
    printf '%s\n' "$root"
}

ensure_docker() {
    # our own dockerd, once started, stays the engine of this state dir
    if pid_of "$DOCKER_PIDFILE" >/dev/null && docker_answers "$DOCKER_SOCK"; then
        say "docker: already running (pid $(<"$DOCKER_PIDFILE")) on $DOCKER_SOCK"
        printf 'unix://%s\n' "$DOCKER_SOCK" >"$DOCKER_HOST_FILE"
        return 0
    fi
    if docker_answers "$SYSTEM_DOCKER_SOCK"; then
        say "docker: using the engine on $SYSTEM_DOCKER_SOCK"
        printf 'unix://%s\n' "$SYSTEM_DOCKER_SOCK" >"$DOCKER_HOST_FILE"
        return 0
    fi
    pid_of "$DOCKER_PIDFILE" >/dev/null &&
        die "dockerd pid $(<"$DOCKER_PIDFILE") is alive but not answering on $DOCKER_SOCK; run tools/stack down"
    local exec_root
    exec_root=$(docker_exec_root)
    mkdir -p "$DOCKER_DIR/data" "$exec_root"
    # dockerd writes its own pid file too; ours (from spawn) is the one we trust.
    spawn "$DOCKER_PIDFILE" "$DOCKER_LOG" \
        dockerd --data-root "$DOCKER_DIR/data" --exec-root "$exec_root" \
        --pidfile "$DOCKER_DIR/dockerd.own.pid" --host "unix://$DOCKER_SOCK"
    wait_until 60 "$DOCKER_PIDFILE" dockerd "$DOCKER_LOG" docker_answers "$DOCKER_SOCK"
    printf 'unix://%s\n' "$DOCKER_SOCK" >"$DOCKER_HOST_FILE"
    say "docker: dockerd started (pid $(<"$DOCKER_PIDFILE")) on $DOCKER_SOCK"
}

stop_docker() {
    # Only a dockerd we started has a pid file here; a system engine is left alone.
    # Its shutdown stops running containers (up to 15 s each, in parallel).
    stop_pid "$DOCKER_PIDFILE" dockerd 90
    local exec_root
    exec_root=$(docker_exec_root)
    # dockerd can leave the bind mount of its default netns behind; it would
    # keep that namespace alive.
    if mountpoint -q "$exec_root/netns/default" 2>/dev/null; then
        umount "$exec_root/netns/default" 2>/dev/null || true
    fi
}

docker_status() {
    local host=""
    [ -s "$DOCKER_HOST_FILE" ] && host=$(<"$DOCKER_HOST_FILE")
    if pid_of "$DOCKER_PIDFILE" >/dev/null; then
        if docker_answers "$DOCKER_SOCK"; then
            status_line docker up "dockerd pid $(<"$DOCKER_PIDFILE"), $host"
        else
            status_line docker DOWN "dockerd pid $(<"$DOCKER_PIDFILE") alive but not answering on $DOCKER_SOCK"
        fi
    elif [ "$host" = "unix://$SYSTEM_DOCKER_SOCK" ] && docker_answers "$SYSTEM_DOCKER_SOCK"; then
        status_line docker up "system engine, $host (not managed by the stack)"
    else
        status_line docker down ""
    fi
}
