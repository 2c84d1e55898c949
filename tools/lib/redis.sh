# shellcheck shell=bash
# A private redis-server for the BullMQ queues (and the integration tests, which
# use their own key prefixes). Loopback only; the append-only file keeps queued
# jobs across a restart of redis itself. It requires a password (requirepass),
# made once into <state>/redis/password (mode 600); REDIS_URL carries it.

: "${STATE:?tools/stack sets STATE before sourcing this file}"

REDIS_PORT=${REDIS_PORT:-6390}
REDIS_DIR="$STATE/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_LOG="$STATE/log/redis.log"
REDIS_PASSWORD_FILE="$REDIS_DIR/password"
REDIS_CONF="$REDIS_DIR/redis.conf"

# REDIS_URL with the password once it exists (before the first `up`, without).
# shellcheck disable=SC2034 # REDIS_URL is read by tools/stack and tools/lib/zun.sh
redis_set_url() {
    if [ -s "$REDIS_PASSWORD_FILE" ]; then
        REDIS_URL="redis://:$(<"$REDIS_PASSWORD_FILE")@127.0.0.1:$REDIS_PORT/0"
    else
        REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
    fi
}
redis_set_url

# The password, made once (hex: safe in a URL and in redis.conf), and redis.conf requiring it; both mode 600.
ensure_redis_password() {
    mkdir -p "$REDIS_DIR"
    if [ ! -s "$REDIS_PASSWORD_FILE" ]; then
        (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$REDIS_PASSWORD_FILE")
    fi
    chmod 600 "$REDIS_PASSWORD_FILE"
    (umask 077 && printf 'requirepass %s\n' "$(<"$REDIS_PASSWORD_FILE")" >"$REDIS_CONF")
    chmod 600 "$REDIS_CONF"
    redis_set_url
}

# The password goes through the environment, never on a command line (ps would show it).
redis_answers() {
    [ "$(REDISCLI_AUTH="$(cat "$REDIS_PASSWORD_FILE" 2>/dev/null)" redis-cli --no-auth-warning -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

# A client without the password is refused (NOAUTH): the running server requires it.
redis_refuses_anonymous() {
    case $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>&1) in
    NOAUTH*) return 0 ;;
    *) return 1 ;;
    esac
}

ensure_redis() {
    if pid_of "$REDIS_PIDFILE" >/dev/null; then
        if [ -s "$REDIS_PASSWORD_FILE" ] && redis_answers && redis_refuses_anonymous; then
            say "redis: already running (pid $(<"$REDIS_PIDFILE")) on 127.0.0.1:$REDIS_PORT"
            return 0
        fi
        # started by an older stack without a password, or not answering with it: start it again
        say "redis: pid $(<"$REDIS_PIDFILE") does not answer with the stack's password; restarting it"
        stop_redis
    fi
    tcp_open 127.0.0.1 "$REDIS_PORT" &&
        die "127.0.0.1:$REDIS_PORT is taken by a process the stack did not start"
    ensure_redis_password
    spawn "$REDIS_PIDFILE" "$REDIS_LOG" \
        redis-server "$REDIS_CONF" --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" \
        --daemonize no --save '' --appendonly yes --appendfsync everysec \
        --logfile '' --protected-mode yes
    wait_until 20 "$REDIS_PIDFILE" redis "$REDIS_LOG" redis_answers
    say "redis: started (pid $(<"$REDIS_PIDFILE")) at redis://:***@127.0.0.1:$REDIS_PORT/0 (password in $REDIS_PASSWORD_FILE)"
}

stop_redis() { stop_pid "$REDIS_PIDFILE" redis 20; }

redis_status() {
    if pid_of "$REDIS_PIDFILE" >/dev/null; then
        if redis_answers; then
            status_line redis up "pid $(<"$REDIS_PIDFILE"), redis://:***@127.0.0.1:$REDIS_PORT/0"
        else
            status_line redis DOWN "pid $(<"$REDIS_PIDFILE") alive but no PONG on port $REDIS_PORT"
        fi
    else
        status_line redis down ""
    fi
}
