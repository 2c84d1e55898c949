# shellcheck shell=bash
# Sourced by tools/images/build-*.sh: what every image script starts with. The script sets `tag` (its default)
# and may define `extra_arg`, which takes one argument the common ones do not know (it sets `shifted` to how
# many words it used, or returns 1 for an unknown argument). Then:
#   image_script_start "$@"
# parses --docker-host, --tag, --push and -h (the usage is the script's header comment, up to `set -euo`),
# sets `tag` and `push`, and checks that a Docker engine answers. say/die print with the script's name.

say() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e '/^# shellcheck/d' -e 's/^# \{0,1\}//'; exit 2; }

# shellcheck disable=SC2034 # tag and push are for the script that sources this file
image_script_start() {
    push=""
    while [ $# -gt 0 ]; do
        case $1 in
            --docker-host) export DOCKER_HOST=${2:?--docker-host needs a value}; shift 2 ;;
            --tag) tag=${2:?--tag needs a value}; shift 2 ;;
            --push) push=${2:?--push needs a registry host:port}; shift 2 ;;
            -h|--help) usage ;;
            *)
                shifted=0
                if declare -F extra_arg >/dev/null && extra_arg "$@"; then shift "$shifted"; else die "unknown argument: $1"; fi
                ;;
        esac
    done
    command -v docker >/dev/null || die "the docker client is not installed"
    docker version >/dev/null 2>&1 || die "no Docker engine answers at ${DOCKER_HOST:-the default socket}"
}
