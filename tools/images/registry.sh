#!/usr/bin/env bash
# tools/images/registry.sh - a local image registry (Debian's docker-registry,
# i.e. distribution 2.x) for test and development images, without Docker Hub.
#
#   tools/images/registry.sh start [--dir DIR] [--addr HOST:PORT] [--htpasswd FILE]
#   tools/images/registry.sh stop [--dir DIR]
#   tools/images/registry.sh status [--dir DIR] [--addr HOST:PORT]
#
# DIR holds config.yml, data/, registry.pid and registry.log
# (default: $ZUN_REGISTRY_DIR, else ${TMPDIR:-/tmp}/zun-registry).
# The default address is 127.0.0.1:5050: port 5000, the registry's usual one, is
# Keystone's. Docker trusts 127.0.0.0/8 registries over plain HTTP by default,
# so no --insecure-registry is needed for this address.
# --htpasswd FILE requires basic authentication against FILE (bcrypt entries:
# `htpasswd -Bbn USER PASSWORD >> FILE`, from apache2-utils); Docker sends the
# credentials of `docker login` or of a pull's auth to a loopback registry over
# plain HTTP too.
set -euo pipefail

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
say() { printf '[registry] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ $# -ge 1 ] || usage
cmd=$1
shift
dir=${ZUN_REGISTRY_DIR:-${TMPDIR:-/tmp}/zun-registry}
addr=127.0.0.1:5050
htpasswd=
while [ $# -gt 0 ]; do
    case $1 in
        --dir) dir=${2:?--dir needs a value}; shift 2 ;;
        --addr) addr=${2:?--addr needs a value}; shift 2 ;;
        --htpasswd) htpasswd=${2:?--htpasswd needs a file}; shift 2 ;;
        -h|--help) usage ;;
        *) die "unknown argument: $1" ;;
    esac
done
pidfile=$dir/registry.pid
logfile=$dir/registry.log

# The pid in the file, if that process is alive and is a registry (a stale
# file after a reboot may name an unrelated process).
running_pid() {
    local pid
    [ -s "$pidfile" ] || return 1
    pid=$(<"$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [ -r "/proc/$pid/cmdline" ] || return 1
    grep -qaF docker-registry "/proc/$pid/cmdline" || return 1
    printf '%s\n' "$pid"
}

# Any HTTP answer from /v2/ (401 with --htpasswd) means the registry is up.
answers() {
    local code
    code=$(curl -sS -m 2 -o /dev/null -w '%{http_code}' "http://$addr/v2/" 2>/dev/null) || return 1
    [ "$code" = 200 ] || [ "$code" = 401 ]
}

start() {
    command -v docker-registry >/dev/null ||
        die "docker-registry is not installed (apt-get install -y docker-registry)"
    if pid=$(running_pid); then
        say "already running (pid $pid) on $addr"
        return 0
    fi
    answers && die "something else already answers on $addr"
    if [ -n "$htpasswd" ]; then
        [ -s "$htpasswd" ] || die "--htpasswd $htpasswd: no such file, or empty"
        htpasswd=$(cd "$(dirname "$htpasswd")" && pwd)/$(basename "$htpasswd")
    fi
    mkdir -p "$dir/data"
    dir=$(cd "$dir" && pwd)
    pidfile=$dir/registry.pid
    logfile=$dir/registry.log
    cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $addr
YAML
    if [ -n "$htpasswd" ]; then
        cat >>"$dir/config.yml" <<YAML
auth:
  htpasswd:
    realm: zun-registry
    path: $htpasswd
YAML
    fi
    # A stale pid file (a registry stopped earlier) would read as "died at start" in the wait below.
    rm -f "$pidfile"
    # shellcheck disable=SC2016 # expanded by the inner sh
    setsid sh -c 'echo $$ > "$0"; exec docker-registry serve "$1"' "$pidfile" "$dir/config.yml" \
        </dev/null >>"$logfile" 2>&1 &
    local _
    for _ in $(seq 1 100); do
        if answers; then
            say "started (pid $(<"$pidfile")) on $addr, data in $dir/data"
            return 0
        fi
        running_pid >/dev/null || [ ! -s "$pidfile" ] || break
        sleep 0.1
    done
    tail -n 20 "$logfile" >&2 || true
    die "registry did not answer on $addr"
}

stop() {
    local pid _
    if ! pid=$(running_pid); then
        say "not running"
        rm -f "$pidfile"
        return 0
    fi
    kill "$pid"
    for _ in $(seq 1 50); do
        [ -d "/proc/$pid" ] || break
        sleep 0.1
    done
    [ -d "/proc/$pid" ] && kill -9 "$pid"
    rm -f "$pidfile"
    say "stopped (pid $pid)"
}

status() {
    local pid
    if pid=$(running_pid); then
        if answers; then
            say "up (pid $pid) on $addr"
            return 0
        fi
        say "DOWN: pid $pid alive but $addr does not answer"
        return 1
    fi
    say "down"
    return 3
}

case $cmd in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) usage ;;
esac
