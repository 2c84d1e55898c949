# shellcheck shell=bash
# Sourced by kolla_start (mariadb): logs and socket directories, and a fresh
# data directory when the volume is empty (root's password comes from the init
# file in config.json's command).
mkdir -p /var/log/kolla/mariadb /run/mysqld
chown mysql:kolla /var/log/kolla/mariadb
chown mysql:mysql /run/mysqld /var/lib/mysql
if [[ ! -d /var/lib/mysql/mysql ]]; then
    setpriv --reuid=mysql --regid=mysql --init-groups -- mariadb-install-db --no-defaults --datadir=/var/lib/mysql \
        --auth-root-authentication-method=normal --skip-test-db >/var/log/kolla/mariadb/install-db.log 2>&1
fi
