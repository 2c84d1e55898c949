# shellcheck shell=bash
# The volumes zun-compute makes (`zun run --mount size=N,...`): with the local
# volume driver each is a sparse image file under [volume] mount_prefix, loop-
# mounted there while a container uses it. The stack puts mount_prefix in the
# state dir. Volumes stay mounted while zun-compute is down (that is what lets
# their containers go on running); `down` unmounts them once the services have
# stopped, and `down --wipe` also clears the immutable flag the driver puts on
# empty mount points, so the state dir can be deleted.

: "${STATE:?tools/stack sets STATE before sourcing this file}"

VOLUME_PREFIX="$STATE/volumes"

# Mount points under the volume prefix, deepest first.
volume_mounts() {
    awk -v p="$VOLUME_PREFIX/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r
}

unmount_volumes() {
    local m n=0
    while read -r m; do
        [ -n "$m" ] || continue
        if umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; then
            n=$((n + 1))
        else
            warn "volumes: could not unmount $m"
        fi
    done < <(volume_mounts)
    [ $n -eq 0 ] || say "volumes: unmounted $n"
    # Loop devices whose image was under the prefix and that nothing holds any more.
    losetup -nO NAME,BACK-FILE 2>/dev/null | awk -v p="$VOLUME_PREFIX/" 'index($2, p) == 1 { print $1 }' |
        while read -r dev; do losetup -d "$dev" 2>/dev/null || true; done
    return 0
}

# Before the state dir is deleted: empty mount points are immutable (chattr +i).
unlock_volume_dirs() {
    [ -d "$VOLUME_PREFIX" ] || return 0
    find "$VOLUME_PREFIX" -maxdepth 2 -type d -exec chattr -i {} + 2>/dev/null || true
}
