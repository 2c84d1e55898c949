# shellcheck shell=bash
# MariaDB for the integration tests only (the stack itself uses the embedded
# SQLite database). Root has no password and is reachable on 127.0.0.1:3307;
# tests create and drop their own databases.

: "${STATE:?tools/stack sets STATE before sourcing this file}"

MARIADB_PORT=3307
MARIADB_DIR="$STATE/mariadb"
MARIADB_SOCK="$MARIADB_DIR/run/mysqld.sock"
MARIADB_PIDFILE="$MARIADB_DIR/run/mariadbd.pid"
MARIADB_LOG="$STATE/log/mariadb.log"
MARIADB_URL="mysql://root@127.0.0.1:$MARIADB_PORT"

mariadb_answers() { mariadb-admin --no-defaults -S "$MARIADB_SOCK" -uroot ping >/dev/null 2>&1; }

ensure_mariadb() {
    if pid_of "$MARIADB_PIDFILE" >/dev/null && mariadb_answers; then
        say "mariadb: already running (pid $(<"$MARIADB_PIDFILE")) on 127.0.0.1:$MARIADB_PORT"
        return 0
    fi
    tcp_open 127.0.0.1 "$MARIADB_PORT" &&
        die "127.0.0.1:$MARIADB_PORT is taken by a process the stack did not start"
    mkdir -p "$MARIADB_DIR/data" "$MARIADB_DIR/run"
    if [ ! -d "$MARIADB_DIR/data/mysql" ]; then
        # Root authenticates by (empty) password rather than unix_socket, so the
        # tests can log in over TCP.
        mariadb-install-db --no-defaults --datadir="$MARIADB_DIR/data" --user=root \
            --auth-root-authentication-method=normal --skip-test-db >>"$MARIADB_LOG" 2>&1 ||
            { show_log_tail "$MARIADB_LOG"; die "mariadb-install-db failed"; }
    fi
    # --no-defaults ignores Debian's my.cnf, so the character set is given here;
    # --skip-name-resolve makes a login from 127.0.0.1 match root@127.0.0.1.
    spawn "$MARIADB_PIDFILE" "$MARIADB_LOG" \
        mariadbd --no-defaults --datadir="$MARIADB_DIR/data" --socket="$MARIADB_SOCK" \
        --port="$MARIADB_PORT" --bind-address=127.0.0.1 --user=root \
        --pid-file="$MARIADB_DIR/run/mariadbd.own.pid" --log-error="$MARIADB_LOG" \
        --skip-log-bin --skip-name-resolve \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
    wait_until 60 "$MARIADB_PIDFILE" mariadb "$MARIADB_LOG" mariadb_answers
    say "mariadb: started (pid $(<"$MARIADB_PIDFILE")) at $MARIADB_URL"
}

stop_mariadb() { stop_pid "$MARIADB_PIDFILE" mariadb 60; }

mariadb_status() {
    if pid_of "$MARIADB_PIDFILE" >/dev/null; then
        if mariadb_answers; then
            status_line mariadb up "pid $(<"$MARIADB_PIDFILE"), $MARIADB_URL (tests only)"
        else
            status_line mariadb DOWN "pid $(<"$MARIADB_PIDFILE") alive but not answering"
        fi
    else
        status_line mariadb down "(started by tools/stack test only)"
    fi
}
