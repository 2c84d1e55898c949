# shellcheck shell=bash
# The Docker engine zun-compute drives. An engine already answering on the
# system socket is used as it is; otherwise the stack runs its own dockerd with
# every path (data, exec root, pid file, socket) under the state dir.
#
# Disk limits (`zun run --disk N`): Docker caps a container's writable layer
# only on some storage: overlay2 over xfs mounted with project quotas, or btrfs
# (quota groups). The stack's own dockerd therefore gets a data root that is such
# a file system: a sparse image under the state dir (ZUN_STACK_DOCKER_DATA_SIZE,
# default 40G), made when the state dir is new - xfs mounted with pquota where the
# kernel has xfs quotas, else btrfs (ZUN_STACK_DOCKER_DATA_FS=xfs|btrfs picks
# one) - and loop-mounted before dockerd starts (again after a reboot); `down`
# unmounts it once dockerd has stopped. Where none can be made the data root is
# a plain directory and the compute host reports disk_quota_supported false.

: "${STATE:?tools/stack sets STATE before sourcing this file}"

SYSTEM_DOCKER_SOCK=/var/run/docker.sock
DOCKER_DIR="$STATE/docker"
DOCKER_SOCK="$DOCKER_DIR/docker.sock"
DOCKER_PIDFILE="$DOCKER_DIR/dockerd.pid"
DOCKER_LOG="$STATE/log/dockerd.log"
DOCKER_HOST_FILE="$STATE/docker-host"   # the DOCKER_HOST value everyone should use
DOCKER_DATA="$DOCKER_DIR/data"
DOCKER_DATA_IMG_BASE="$DOCKER_DIR/data-root" # sparse image: data-root.xfs or data-root.btrfs
DOCKER_DATA_SIZE="${ZUN_STACK_DOCKER_DATA_SIZE:-40G}"
DOCKER_DATA_FS="${ZUN_STACK_DOCKER_DATA_FS:-}"  # xfs or btrfs; empty: xfs, else btrfs

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
    mkdir -p "$DOCKER_DIR" "$exec_root"
    ensure_docker_data_root
    # dockerd writes its own pid file too; ours (from spawn) is the one we trust.
    spawn "$DOCKER_PIDFILE" "$DOCKER_LOG" \
        dockerd --data-root "$DOCKER_DATA" --exec-root "$exec_root" \
        --pidfile "$DOCKER_DIR/dockerd.own.pid" --host "unix://$DOCKER_SOCK"
    wait_until 60 "$DOCKER_PIDFILE" dockerd "$DOCKER_LOG" docker_answers "$DOCKER_SOCK"
    printf 'unix://%s\n' "$DOCKER_SOCK" >"$DOCKER_HOST_FILE"
    say "docker: dockerd started (pid $(<"$DOCKER_PIDFILE")) on $DOCKER_SOCK"
}

# The mount options of the file system mounted on DIR (nothing when DIR is no mount point).
mount_options_of() { # DIR
    findmnt -n -o FSTYPE,OPTIONS --mountpoint "$1" 2>/dev/null | head -n 1
}

# The image of the data root made earlier, if any.
docker_data_image() {
    local fs
    for fs in xfs btrfs; do
        [ -f "$DOCKER_DATA_IMG_BASE.$fs" ] && { printf '%s\n' "$DOCKER_DATA_IMG_BASE.$fs"; return 0; }
    done
    return 1
}

# Whether the mounted data root can cap container sizes: xfs with project quotas, or btrfs.
docker_data_caps_size() {
    local m
    m=$(mount_options_of "$DOCKER_DATA")
    [[ $m == btrfs* ]] && return 0
    [[ $m == xfs* ]] && [[ ,${m#xfs }, =~ ,(prjquota|pquota), ]]
}

docker_data_plain() { # REASON
    mkdir -p "$DOCKER_DATA"
    warn "docker: $1"
    warn "docker: the data root $DOCKER_DATA is a plain directory: disk limits (--disk) cannot be enforced and the host reports disk_quota_supported false"
}

docker_data_mount() { # IMAGE
    case $1 in
    *.xfs) mount -o loop,pquota "$1" "$DOCKER_DATA" ;;
    *) mount -o loop "$1" "$DOCKER_DATA" && docker_data_btrfs_quota ;;
    esac
}

# btrfs: quota groups on, and consistent, before dockerd starts. Docker turns them on itself
# at the first container with a size, but then over layers that already exist, and until a
# rescan the groups are "inconsistent" and their limits are not applied (a --disk 1 container
# could write 2 GiB).
docker_data_btrfs_quota() {
    btrfs quota enable "$DOCKER_DATA" || return 1
    btrfs quota rescan -w "$DOCKER_DATA" >/dev/null 2>&1 || true
}

# Makes and mounts a new data root image of file system FS; fails (leaving nothing) when it cannot.
docker_data_make() { # FS
    local fs=$1 img="$DOCKER_DATA_IMG_BASE.$1"
    command -v "mkfs.$fs" >/dev/null || { say "docker: mkfs.$fs not found"; return 1; }
    say "docker: making a $fs data root ($DOCKER_DATA_SIZE sparse image)"
    if truncate -s "$DOCKER_DATA_SIZE" "$img" && "mkfs.$fs" -q "$img" && docker_data_mount "$img"; then
        return 0
    fi
    rm -f "$img"
    say "docker: no $fs data root (see $DOCKER_LOG)"
    return 1
}

# Makes (new state dir) or re-mounts (after a reboot) the data root; never fails:
# without it the data root is a plain directory, loudly.
ensure_docker_data_root() {
    local img fs
    mkdir -p "$DOCKER_DIR"
    if mountpoint -q "$DOCKER_DATA" 2>/dev/null; then
        if docker_data_caps_size; then
            say "docker: data root already mounted ($(mount_options_of "$DOCKER_DATA" | cut -d' ' -f1))"
            # dockerd stopped (or was killed) while it removed layers: btrfs may have left its quota groups
            # inconsistent, and then it applies no limit until a rescan.
            if [[ $(mount_options_of "$DOCKER_DATA") == btrfs* ]]; then
                docker_data_btrfs_quota >>"$DOCKER_LOG" 2>&1 || warn "docker: btrfs quota groups could not be turned on (see $DOCKER_LOG)"
            fi
            return 0
        fi
        warn "docker: $DOCKER_DATA is mounted but cannot cap container sizes ($(mount_options_of "$DOCKER_DATA"))"
        return 0
    fi
    if img=$(docker_data_image); then
        mkdir -p "$DOCKER_DATA"
        if docker_data_mount "$img" >>"$DOCKER_LOG" 2>&1; then
            say "docker: data root $DOCKER_DATA mounted again from ${img##*/}"
        else
            docker_data_plain "mounting $img failed (see $DOCKER_LOG)"
        fi
        return 0
    fi
    # A data root made before (a plain directory with images in it) is kept as it is.
    if [ -d "$DOCKER_DATA" ] && [ -n "$(ls -A "$DOCKER_DATA" 2>/dev/null)" ]; then
        docker_data_plain "existing data root from an earlier stack (tools/stack down --wipe, then up, makes a new one)"
        return 0
    fi
    mkdir -p "$DOCKER_DATA"
    for fs in ${DOCKER_DATA_FS:-xfs btrfs}; do
        if docker_data_make "$fs" >>"$DOCKER_LOG" 2>&1; then
            say "docker: data root $DOCKER_DATA mounted ($fs on a loop device)"
            return 0
        fi
    done
    docker_data_plain "could not make a ${DOCKER_DATA_FS:-xfs or btrfs} data root (mkfs.xfs/mkfs.btrfs from xfsprogs/btrfs-progs, loop devices; see $DOCKER_LOG)"
}

# After dockerd has stopped: the data root image is unmounted (its loop device goes with it).
release_docker_data_root() {
    docker_data_image >/dev/null && mountpoint -q "$DOCKER_DATA" 2>/dev/null || return 0
    if pid_of "$DOCKER_PIDFILE" >/dev/null; then
        warn "docker: dockerd still running; leaving $DOCKER_DATA mounted"
        return 0
    fi
    umount "$DOCKER_DATA" || warn "docker: could not unmount $DOCKER_DATA"
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
    release_docker_data_root
}

docker_status() {
    local host=""
    [ -s "$DOCKER_HOST_FILE" ] && host=$(<"$DOCKER_HOST_FILE")
    if pid_of "$DOCKER_PIDFILE" >/dev/null; then
        if docker_answers "$DOCKER_SOCK"; then
            local fs
            fs=$(mount_options_of "$DOCKER_DATA" | cut -d' ' -f1)
            status_line docker up "dockerd pid $(<"$DOCKER_PIDFILE"), $host, data root ${fs:-plain directory}"
        else
            status_line docker DOWN "dockerd pid $(<"$DOCKER_PIDFILE") alive but not answering on $DOCKER_SOCK"
        fi
    elif [ "$host" = "unix://$SYSTEM_DOCKER_SOCK" ] && docker_answers "$SYSTEM_DOCKER_SOCK"; then
        status_line docker up "system engine, $host (not managed by the stack)"
    else
        status_line docker down ""
    fi
}
