#!/bin/sh
# Start sequence of one node's app: wait for its database, apply or await the schema, serve.
set -eu

: "${DJANGO_SECRET_KEY:?DJANGO_SECRET_KEY is required}"
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus-multiproc}"
# Stale files from a previous run of this container would double-count metrics.
rm -rf "$PROMETHEUS_MULTIPROC_DIR"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

echo "start: waiting for database ${DB_HOST:-127.0.0.1}:${DB_PORT:-3306}"
python3 manage.py wait_for_db --timeout 60

case "${DJANGO_MIGRATE:-run}" in
  run)
    echo "start: applying migrations"
    python3 manage.py migrate_locked --noinput
    ;;
  wait)
    # The peer node migrates; replication brings the schema here. DDL on both masters would collide.
    echo "start: waiting for the schema to arrive by replication"
    python3 manage.py wait_for_schema --timeout 90
    ;;
  skip) echo "start: not touching the schema" ;;
  *) echo "start: DJANGO_MIGRATE must be run, wait or skip" >&2; exit 2 ;;
esac

echo "start: serving on :8000 with ${GUNICORN_WORKERS:-2} workers"
exec gunicorn --config gunicorn.conf.py todo_site.wsgi:application
