#!/bin/sh
# haproxy.cfg takes the stats credentials from the environment and there is no default: unset, the
# pair would expand to ":" and /stats would open to an empty user name and password. Refuse instead.
set -eu
if [ -z "${HAPROXY_STATS_USER:-}" ] || [ -z "${HAPROXY_STATS_PASSWORD:-}" ]; then
  echo "entrypoint: HAPROXY_STATS_USER and HAPROXY_STATS_PASSWORD must both be set" >&2
  exit 64
fi
exec "$@"
