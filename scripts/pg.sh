#!/usr/bin/env bash
# The project-local PostgreSQL cluster (the "embedded default"), used when
# DATABASE_URL is unset:
#   pg.sh start   install what is missing, initdb on first use, start
#   pg.sh stop    stop the cluster
#   pg.sh url     print the connection URL of the default database
# PostgreSQL refuses to run as root, so the server runs as the postgres user.
# It listens on 127.0.0.1:$AGENTSTORE_PGPORT (default 54329) and on a Unix
# socket in a short directory under /tmp.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PORT=${AGENTSTORE_PGPORT:-54329}
DATA=${AGENTSTORE_PGDATA:-$top/.pgdata}
SOCKET_DIR=/tmp/agentstore-pg-$PORT
DB=agentstore
URL="postgres://postgres@127.0.0.1:$PORT/$DB?sslmode=disable"

log() { echo "pg: $*" >&2; }

# The server runs as postgres and must reach its data folder through every
# parent; a clone under a private folder (say /root) cannot host it, so the
# cluster then lives in a per-checkout folder under /var/tmp instead.
if [ -z "${AGENTSTORE_PGDATA:-}" ] && [ "$(id -u)" -eq 0 ] &&
  ! runuser -u postgres -- test -x "$top"; then
  DATA=/var/tmp/agentstore-$(printf '%s' "$top" | cksum | cut -d' ' -f1)/pgdata
  mkdir -p "$(dirname "$DATA")"
  chmod 755 "$(dirname "$DATA")"
fi

as_postgres() {
  # From /, so a private working directory does not trouble the postgres user.
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

running() { as_postgres "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

psql_admin() { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }

init_cluster() {
  mkdir -p "$DATA"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$DATA"
    if ! runuser -u postgres -- test -w "$DATA"; then
      log "the postgres user cannot reach $DATA; set AGENTSTORE_PGDATA to a folder it can"
      exit 1
    fi
  fi
  chmod 700 "$DATA"
  log "initdb into $DATA"
  as_postgres "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$DATA/postgresql.conf" <<CONF
# agentstore: a private, loopback-only development and test cluster
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKET_DIR'
max_connections = 200
maintenance_work_mem = 512MB
fsync = off
synchronous_commit = off
full_page_writes = off
jit = off
CONF
}

# shared_buffers: a quarter of the machine's memory, between 256MB and 4GB,
# so a benchmark's vectors, HNSW graph and GIN index stay in PostgreSQL's
# own cache instead of being copied in from the OS on every search.
shared_buffers() {
  local mb
  mb=$(awk '/^MemTotal:/ { print int($2 / 1024 / 4) }' /proc/meminfo 2>/dev/null || echo 256)
  [ "${mb:-0}" -ge 256 ] || mb=256
  [ "$mb" -le 4096 ] || mb=4096
  echo "${mb}MB"
}

start() {
  bash "$top/scripts/install-postgres.sh"
  [ -f "$DATA/PG_VERSION" ] || init_cluster
  if ! running; then
    mkdir -p "$SOCKET_DIR"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$SOCKET_DIR"
    log "starting on 127.0.0.1:$PORT"
    as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
      -o "-c shared_buffers=$(shared_buffers)" start >/dev/null || {
      tail -20 "$DATA/server.log" >&2
      exit 1
    }
  fi
  # $DB holds data; ${DB}_dev stays empty for the Atlas CLI's dev database.
  for db in "$DB" "${DB}_dev"; do
    psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
      psql_admin -d postgres -c "CREATE DATABASE $db"
  done
  # pgvector lives in public of the default database, created once.
  psql_admin -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public"
}

stop() {
  if [ -f "$DATA/PG_VERSION" ] && running; then
    as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    log "stopped"
  fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) echo "$URL" ;;
*)
  echo "usage: $0 start|stop|url" >&2
  exit 2
  ;;
esac
