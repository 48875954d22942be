#!/bin/sh
# Behaves like the official image for MARIADB_ROOT_PASSWORD, MARIADB_DATABASE, MARIADB_USER and
# MARIADB_PASSWORD. The first start initialises the data directory with a temporary server that has no
# networking (so a port-based wait, which is what @testcontainers/mariadb uses, cannot see the port
# before the real server owns it with the final credentials) and no binary log (so users created here
# stay local and never replicate to the peer). A restart reuses the data directory as it is.
set -eu

datadir=/var/lib/mysql
init_socket=/run/mysqld/init.sock

# SQL string literal body: MariaDB treats both ' and \ specially inside '…'.
lit() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g"; }
# Identifier body inside `…`.
ident() { printf '%s' "$1" | sed 's/`/``/g'; }
# Not echo: dash's echo rewrites backslash sequences, which would corrupt passwords.
say() { printf '%s\n' "$*"; }

if [ ! -d "$datadir/mysql" ]; then
  : "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD is required on first start}"
  if [ -n "${MARIADB_USER:-}" ] && [ -z "${MARIADB_PASSWORD:-}" ]; then
    echo "entrypoint: MARIADB_USER is set but MARIADB_PASSWORD is empty" >&2
    exit 1
  fi
  echo "entrypoint: initialising $datadir"
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db \
    --auth-root-authentication-method=normal >/dev/null
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --skip-log-bin --skip-slave-start \
    --socket="$init_socket" &
  pid=$!
  sql() { mariadb --protocol=socket --socket="$init_socket" -uroot "$@"; }
  i=0
  until sql -e 'SELECT 1' >/dev/null 2>&1; do
    # Fail at once with the server's own error (a bad 60-firedrill.cnf, say) instead of waiting.
    if ! kill -0 "$pid" 2>/dev/null; then echo "entrypoint: temporary server exited" >&2; exit 1; fi
    i=$((i + 1))
    if [ "$i" -gt 120 ]; then echo "entrypoint: temporary server not up after 60 s" >&2; exit 1; fi
    sleep 0.5
  done
  root_pw=$(lit "$MARIADB_ROOT_PASSWORD")
  {
    # Belt and braces: the server already runs without a binary log.
    say "SET sql_log_bin = 0;"
    say "DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');"
    say "FLUSH PRIVILEGES;"
    say "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_pw';"
    say "CREATE USER 'root'@'%' IDENTIFIED BY '$root_pw';"
    say "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MARIADB_DATABASE:-}" ]; then
      say "CREATE DATABASE IF NOT EXISTS \`$(ident "$MARIADB_DATABASE")\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    fi
    if [ -n "${MARIADB_USER:-}" ]; then
      say "CREATE USER '$(lit "$MARIADB_USER")'@'%' IDENTIFIED BY '$(lit "$MARIADB_PASSWORD")';"
      if [ -n "${MARIADB_DATABASE:-}" ]; then
        say "GRANT ALL ON \`$(ident "$MARIADB_DATABASE")\`.* TO '$(lit "$MARIADB_USER")'@'%';"
      fi
    fi
  } | sql
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] || continue
    echo "entrypoint: running $f"
    { say "SET sql_log_bin = 0;"; cat "$f"; } |
      MYSQL_PWD="$MARIADB_ROOT_PASSWORD" sql ${MARIADB_DATABASE:+"$MARIADB_DATABASE"}
  done
  MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb-admin --protocol=socket --socket="$init_socket" -uroot shutdown
  wait "$pid" || true
  echo "entrypoint: initialised; starting the real server"
fi

if [ "${1:-}" = "mariadbd" ]; then
  shift
  # PID 1, so docker stop (SIGTERM: clean shutdown) and docker kill reach the server itself.
  exec mariadbd --user=mysql --datadir="$datadir" "$@"
fi
exec "$@"
