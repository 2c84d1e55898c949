"""Create Keystone's database, key repositories and bootstrap admin.

Runs the keystone-manage commands db_sync, fernet_setup, credential_setup and
bootstrap inside this one interpreter, because importing keystone takes about
three seconds and the commands themselves well under one.
"""
import argparse
import grp
import os
import pwd
import sqlite3
import sys

from keystone.cmd import cli


def manage(conf, *args):
    print('keystone-manage', ' '.join(args[:1]), flush=True)
    # oslo.config keeps the parsed command line of the previous run
    cli.CONF.clear()
    cli.main(argv=['keystone-manage', '--config-file', conf, *args])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--config', required=True)
    ap.add_argument('--db', required=True)
    ap.add_argument('--password', required=True)
    ap.add_argument('--region', required=True)
    ap.add_argument('--url', required=True)
    a = ap.parse_args()

    owner = ['--keystone-user', pwd.getpwuid(os.getuid()).pw_name,
             '--keystone-group', grp.getgrgid(os.getgid()).gr_name]
    state = os.path.dirname(a.config)

    manage(a.config, 'db_sync')
    # Write-ahead log: readers no longer block the writer, which the default
    # rollback journal does ("database is locked" under parallel requests).
    db = sqlite3.connect(a.db)
    mode = db.execute('PRAGMA journal_mode=WAL').fetchone()[0]
    db.close()
    if mode != 'wal':
        sys.exit('could not switch %s to WAL (got %s)' % (a.db, mode))

    if not os.path.exists(os.path.join(state, 'fernet-keys', '0')):
        manage(a.config, 'fernet_setup', *owner)
    if not os.path.exists(os.path.join(state, 'credential-keys', '0')):
        manage(a.config, 'credential_setup', *owner)
    manage(a.config, 'bootstrap',
           '--bootstrap-username', 'admin',
           '--bootstrap-password', a.password,
           '--bootstrap-project-name', 'admin',
           '--bootstrap-role-name', 'admin',
           '--bootstrap-service-name', 'keystone',
           '--bootstrap-region-id', a.region,
           '--bootstrap-public-url', a.url,
           '--bootstrap-internal-url', a.url,
           '--bootstrap-admin-url', a.url)


if __name__ == '__main__':
    main()
