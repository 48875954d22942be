#!/bin/sh
# Start sequence of one node's app: wait for its database, apply or await the schema, serve.
set -eu

: "${DJANGO_SECRET_KEY:?DJANGO_SECRET_KEY is required}"
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus-multiproc}"
# Stale files from a previous run of this container would double-count metrics.
rm -rf "$PROMETHEUS_MULTIPROC_DIR"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

# The original waited 45 s (wait-for-it.sh -t 45 && …: on timeout the app never starts); the seed
# profile passes that, the hardened one keeps the default.
echo "start: waiting for database ${DB_HOST:-127.0.0.1}:${DB_PORT:-3306} (up to ${DB_WAIT_SECONDS:-60} s)"
python3 manage.py wait_for_db --timeout "${DB_WAIT_SECONDS:-60}"

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

case "${APP_SERVER:-gunicorn}" in
  gunicorn)
    echo "start: serving on :8000 with gunicorn, ${GUNICORN_WORKERS:-2} workers"
    exec gunicorn --config gunicorn.conf.py todo_site.wsgi:application
    ;;
  runserver)
    # The original's server: Django's development server, one process of threads, its autoreloader
    # on (the seed profile runs what the original ran, weaknesses included).
    echo "start: serving on :8000 with Django's runserver, as the original"
    exec python3 manage.py runserver 0.0.0.0:8000
    ;;
  *) echo "start: APP_SERVER must be gunicorn or runserver" >&2; exit 2 ;;
esac
