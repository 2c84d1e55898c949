#!/usr/bin/env bash
# Assembles the root file system of the node20 base image from this machine:
# Debian's static busybox (shell and core tools), tini-static (PID 1), and
# /usr/bin/node with exactly the shared libraries it loads. No registry and no
# package mirror are needed, and the image stays around 110 MB.
#
#   deploy/images/node20/make-rootfs.sh DIR     # then: docker build -f .../Dockerfile DIR
set -euo pipefail

out=${1:?usage: make-rootfs.sh DIR}
node_bin=$(readlink -f "$(command -v node)")
[ -x /bin/busybox ] || { echo "busybox-static is not installed" >&2; exit 1; }
[ -x /usr/bin/tini-static ] || { echo "tini (tini-static) is not installed" >&2; exit 1; }
"$node_bin" -e 'process.exit(process.versions.node.split(".")[0] === "20" ? 0 : 1)' ||
    { echo "$node_bin is not Node 20" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,var/log,run}
root="$out/rootfs"
chmod 1777 "$root/tmp"

cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
    case $applet in busybox | '[[') continue ;; esac
    ln -sf busybox "$root/bin/$applet"
done
cp /usr/bin/tini-static "$root/usr/bin/tini"
cp "$node_bin" "$root/usr/bin/node"

# the dynamic loader and every library node links against, at the same paths
ldd "$node_bin" | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
    if [ -z "$lib" ] || [ ! -e "$lib" ]; then continue; fi
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
cp "$(dirname "$0")/Dockerfile" "$out/Dockerfile"
echo "rootfs ready in $out ($(du -sh "$root" | cut -f1))"
