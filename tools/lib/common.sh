# shellcheck shell=bash
# Shared helpers for tools/stack: messages, timing, and the life cycle of the
# daemons the stack starts (each one recorded in a pid file under the state dir).

say() { printf '[stack %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { say "WARNING: $*"; }
die() {
    say "ERROR: $*"
    exit 1
}

# ----------------------------------------------------------------- timing
# Each step of a command is timed; the table is printed when the command ends.
STEP_NAMES=()
STEP_SECS=()

now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# step NAME FUNCTION [ARGS...]: runs one step and records how long it took.
step() {
    local name=$1 t0
    shift
    t0=$(now)
    say "--- $name"
    "$@"
    STEP_NAMES+=("$name")
    STEP_SECS+=("$(since "$t0")")
}

print_timings() {
    local i
    [ ${#STEP_NAMES[@]} -gt 0 ] || return 0
    printf 'timings (s):\n' >&2
    for i in "${!STEP_NAMES[@]}"; do
        printf '  %-28s %6s\n' "${STEP_NAMES[$i]}" "${STEP_SECS[$i]}" >&2
    done
}

# ----------------------------------------------------------------- processes
# alive PID: the process exists and is not a zombie. Daemons outlive the
# command that started them, so their parent is init, which may take a while
# to reap them; until then kill -0 still succeeds.
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat:0:1}" != Z ]
}

# Each pid file PIDFILE has a companion PIDFILE.start holding the process's start
# time (field 22 of /proc/PID/stat). A pid alone may have been recycled by an
# unrelated process (a stale pid file after a reboot); pid and start time
# together cannot be. Command lines are no use for this: redis, uwsgi and node
# services may rewrite theirs.
start_time() { # PID
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086 # split the fields on purpose
    set -- $stat
    printf '%s\n' "${20}"
}

# pid_of PIDFILE: prints the recorded pid when that very process is still alive.
pid_of() {
    local file=$1 pid
    [ -s "$file" ] && [ -s "$file.start" ] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    alive "$pid" || return 1
    [ "$(start_time "$pid")" = "$(<"$file.start")" ] || return 1
    printf '%s\n' "$pid"
}

# spawn PIDFILE LOGFILE COMMAND...: starts COMMAND detached by setsid (so it
# outlives this script and a Ctrl-C in its terminal), stdin from /dev/null,
# stdout and stderr appended to LOGFILE. The pid written is the daemon's own:
# the small sh records its pid, then becomes the command through exec.
spawn() {
    local pidfile=$1 logfile=$2 i
    shift 2
    rm -f "$pidfile" "$pidfile.start"
    mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
    # shellcheck disable=SC2016 # expanded by the inner sh, not here
    setsid sh -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 &
    for i in $(seq 1 100); do
        if [ -s "$pidfile" ]; then
            # exec keeps the pid and the start time: this is the daemon's
            start_time "$(<"$pidfile")" >"$pidfile.start" && return 0
            show_log_tail "$logfile"
            die "$1 exited at once; its log is $logfile"
        fi
        sleep 0.05
    done
    die "could not start $1 (no pid file $pidfile)"
}

# stop_pid PIDFILE LABEL [GRACE_SECONDS]: SIGTERM, wait, then SIGKILL. Only the
# process recorded in PIDFILE is touched.
stop_pid() {
    local file=$1 label=$2 grace=${3:-30} pid i
    if ! pid=$(pid_of "$file"); then
        if [ -e "$file" ]; then
            say "$label: not running (stale pid file removed)"
        fi
        rm -f "$file" "$file.start"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        warn "$label (pid $pid) still running after ${grace}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
    fi
    rm -f "$file" "$file.start"
    say "$label: stopped (pid $pid)"
}

# show_log_tail FILE [LINES]: the end of a log, indented, for error messages.
show_log_tail() {
    local file=$1 lines=${2:-30}
    if [ -s "$file" ]; then
        printf -- '----- last %s lines of %s\n' "$lines" "$file" >&2
        tail -n "$lines" "$file" | sed 's/^/  | /' >&2
        printf -- '-----\n' >&2
    else
        printf -- '(%s is empty or missing)\n' "$file" >&2
    fi
}

# wait_until SECONDS PIDFILE LABEL LOGFILE CHECK...: polls CHECK until it
# succeeds; fails early, with the log's tail, if the process dies meanwhile.
wait_until() {
    local limit=$1 pidfile=$2 label=$3 logfile=$4 deadline
    shift 4
    deadline=$((SECONDS + limit))
    while ((SECONDS < deadline)); do
        "$@" && return 0
        if ! pid_of "$pidfile" >/dev/null; then
            show_log_tail "$logfile"
            die "$label exited during start-up; its log is $logfile"
        fi
        sleep 0.1
    done
    show_log_tail "$logfile"
    die "$label did not become ready within ${limit}s; its log is $logfile"
}

# tcp_open HOST PORT: something accepts connections there.
tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# http_answers URL: any HTTP status at all (the server is up, whatever it says).
http_answers() {
    local code
    code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$1" 2>/dev/null) || true
    [ -n "$code" ] && [ "$code" != 000 ]
}
