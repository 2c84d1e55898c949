#!/bin/bash
# Entrypoint of the MariaDB image that build-mariadb.sh builds (copied into the
# build context as docker-entrypoint.sh).
#
# Initialises an empty /var/lib/mysql (root password, database, user from the
# MARIADB_* environment), then runs mariadbd. Other commands run as they are.
set -euo pipefail

say() { printf '[entrypoint] %s\n' "$*" >&2; }

if [ "${1:-}" = "" ] || [ "${1:0:1}" = - ]; then set -- mariadbd "$@"; fi
if [ "${1:-}" != mariadbd ] && [ "${1:-}" != mysqld ]; then exec "$@"; fi
shift

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
ROOT_PASSWORD=${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}
ALLOW_EMPTY=${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-${MYSQL_ALLOW_EMPTY_PASSWORD:-}}
DATABASE=${MARIADB_DATABASE:-${MYSQL_DATABASE:-}}
USER_NAME=${MARIADB_USER:-${MYSQL_USER:-}}
USER_PASSWORD=${MARIADB_PASSWORD:-${MYSQL_PASSWORD:-}}

# SQL literals: 'string' and `name`.
sql_string() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }
# shellcheck disable=SC2016 # backquotes, not an expansion
sql_name() { printf '`%s`' "${1//\`/\`\`}"; }

mkdir -p "$DATADIR" /run/mysqld
chown mysql:mysql /run/mysqld
# A fresh volume is owned by root; lost+found stays root's (the server ignores it).
chown mysql:mysql "$DATADIR"
find "$DATADIR" -mindepth 1 -maxdepth 1 ! -name lost+found ! -user mysql -exec chown -R mysql:mysql {} +

if [ ! -d "$DATADIR/mysql" ]; then
    if [ -z "$ROOT_PASSWORD" ] && [ -z "$ALLOW_EMPTY" ]; then
        say "ERROR: the database is uninitialized and no root password is set."
        say "       Set MARIADB_ROOT_PASSWORD, or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1 for an empty one."
        exit 1
    fi
    say "initialising $DATADIR"
    mariadb-install-db --user=mysql --datadir="$DATADIR" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve >/dev/null
    mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$SOCKET" &
    pid=$!
    for _ in $(seq 60); do
        mariadb --protocol=socket --socket="$SOCKET" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
        kill -0 "$pid" 2>/dev/null || { say "ERROR: the temporary server stopped"; exit 1; }
        sleep 1
    done
    pw=$(sql_string "$ROOT_PASSWORD")
    {
        # root@localhost and root@'%' only, as in the official image.
        echo "DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1';"
        echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@''', @@hostname, '''');"
        echo "SET PASSWORD FOR 'root'@'localhost' = PASSWORD($pw);"
        echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY $pw;"
        echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        if [ -n "$DATABASE" ]; then
            echo "CREATE DATABASE IF NOT EXISTS $(sql_name "$DATABASE");"
        fi
        if [ -n "$USER_NAME" ]; then
            echo "CREATE USER IF NOT EXISTS $(sql_string "$USER_NAME")@'%' IDENTIFIED BY $(sql_string "$USER_PASSWORD");"
            if [ -n "$DATABASE" ]; then
                echo "GRANT ALL ON $(sql_name "$DATABASE").* TO $(sql_string "$USER_NAME")@'%';"
            fi
        fi
        echo "FLUSH PRIVILEGES;"
    } | mariadb --protocol=socket --socket="$SOCKET" -uroot
    kill "$pid"
    wait "$pid" || true
    say "initialised${DATABASE:+ with database $DATABASE}"
fi

exec mariadbd --user=mysql --datadir="$DATADIR" --bind-address=0.0.0.0 "$@"
