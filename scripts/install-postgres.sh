#!/usr/bin/env bash
# Installs what the project-local cluster needs on Debian 12: the PostgreSQL 15
# server and pgvector >= 0.8, built from Debian 13's *source* package (no trixie
# binaries are ever installed). Idempotent; returns at once when all is present.
set -euo pipefail

PG_MAJOR=${PG_MAJOR:-15}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_SHARE=/usr/share/postgresql/$PG_MAJOR
PGVECTOR_MIN=0.8.0

log() { echo "install-postgres: $*"; }

have_server() { [ -x "$PG_BIN/postgres" ] && [ -x "$PG_BIN/initdb" ]; }

pgvector_version() {
  sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$PG_SHARE/extension/vector.control" 2>/dev/null || true
}

version_ok() { # $1 >= $2
  [ -n "$1" ] && [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]
}

if have_server && version_ok "$(pgvector_version)" "$PGVECTOR_MIN"; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-postgres: PostgreSQL $PG_MAJOR or pgvector >= $PGVECTOR_MIN is missing and installing needs root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! have_server; then
  log "installing postgresql-$PG_MAJOR"
  apt_install "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR"
fi

if ! version_ok "$(pgvector_version)" "$PGVECTOR_MIN"; then
  log "building pgvector from Debian 13 source"
  src_list=/etc/apt/sources.list.d/agentstore-trixie-src.sources
  if [ ! -f "$src_list" ]; then
    # Source entries only: binaries keep coming from bookworm.
    cat >"$src_list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt_updated=
  fi
  apt_install "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev ca-certificates
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get source -qq --download-only pgvector >/dev/null && dpkg-source -x pgvector_*.dsc src >/dev/null)
  make -s -C "$work/src" PG_CONFIG="$PG_BIN/pg_config" >/dev/null
  make -s -C "$work/src" PG_CONFIG="$PG_BIN/pg_config" install >/dev/null
fi

version_ok "$(pgvector_version)" "$PGVECTOR_MIN" || {
  echo "install-postgres: pgvector $(pgvector_version) installed, need >= $PGVECTOR_MIN" >&2
  exit 1
}
log "PostgreSQL $PG_MAJOR with pgvector $(pgvector_version) ready"
