#!/usr/bin/env bash
# Installs and starts what the test suite needs outside Python: Debian's Chromium,
# a PostgreSQL server on 127.0.0.1:5432 (database `test`). Fails loudly when it cannot.
set -euo pipefail

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "system-deps: need root to run: $*" >&2; return 1; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v chromium >/dev/null; then
  echo "system-deps: installing Debian's chromium" >&2
  apt_install chromium fonts-dejavu-core
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "system-deps: installing PostgreSQL" >&2
    apt_install postgresql
  fi
  echo "system-deps: starting PostgreSQL" >&2
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi
if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
  as_root su postgres -c "psql -c \"ALTER SYSTEM SET listen_addresses='127.0.0.1'\"" >/dev/null 2>&1 || true
  as_root su postgres -c "createdb test" 2>/dev/null || true
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if ! command -v redis-server >/dev/null; then
    echo "system-deps: installing Redis" >&2
    apt_install redis-server redis-tools
  fi
  echo "system-deps: starting Redis" >&2
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/veille-redis.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
fi
echo "system-deps: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), postgresql and redis ready" >&2
