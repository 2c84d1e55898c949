# shellcheck shell=bash
# A private redis-server for the BullMQ queues (and the integration tests, which
# use their own key prefixes). Loopback only; the append-only file keeps queued
# jobs across a restart of redis itself.

: "${STATE:?tools/stack sets STATE before sourcing this file}"

REDIS_PORT=6390
REDIS_DIR="$STATE/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_LOG="$STATE/log/redis.log"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

ensure_redis() {
    if pid_of "$REDIS_PIDFILE" >/dev/null && redis_answers; then
        say "redis: already running (pid $(<"$REDIS_PIDFILE")) on 127.0.0.1:$REDIS_PORT"
        return 0
    fi
    tcp_open 127.0.0.1 "$REDIS_PORT" &&
        die "127.0.0.1:$REDIS_PORT is taken by a process the stack did not start"
    mkdir -p "$REDIS_DIR"
    spawn "$REDIS_PIDFILE" "$REDIS_LOG" \
        redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" \
        --daemonize no --save '' --appendonly yes --appendfsync everysec \
        --logfile '' --protected-mode yes
    wait_until 20 "$REDIS_PIDFILE" redis "$REDIS_LOG" redis_answers
    say "redis: started (pid $(<"$REDIS_PIDFILE")) at $REDIS_URL"
}

stop_redis() { stop_pid "$REDIS_PIDFILE" redis 20; }

redis_status() {
    if pid_of "$REDIS_PIDFILE" >/dev/null; then
        if redis_answers; then
            status_line redis up "pid $(<"$REDIS_PIDFILE"), $REDIS_URL"
        else
            status_line redis DOWN "pid $(<"$REDIS_PIDFILE") alive but no PONG on port $REDIS_PORT"
        fi
    else
        status_line redis down ""
    fi
}
