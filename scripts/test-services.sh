#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL and Redis on loopback for the test suite, each with its own
# data directory and port, and prints the env lines to use. Installs them from apt when missing.
#   scripts/test-services.sh start [DIR]   -> writes DIR/env (DATABASE_URL, REDIS_URL)
#   scripts/test-services.sh stop  [DIR]   -> stops both by PID
set -euo pipefail
cmd=${1:-start}
dir=${2:-/tmp/cs-mcp-test-services}
pg_port=${CS_TEST_PG_PORT:-55432}
redis_port=${CS_TEST_REDIS_PORT:-56379}

pg_bin() {
  local v
  for v in 17 16 15 14 13; do
    if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then echo "/usr/lib/postgresql/$v/bin"; return; fi
  done
  return 1
}

install_missing() {
  local need=()
  pg_bin >/dev/null 2>&1 || need+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]} from apt" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${need[@]}" >&2
  fi
}

start() {
  install_missing
  local bin; bin=$(pg_bin)
  mkdir -p "$dir"
  chmod 755 "$dir"
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
  # PostgreSQL refuses to run as root: its data directory belongs to the postgres user.
  rm -rf "$dir/pg"
  install -d -o postgres -g postgres "$dir/pg"
  su postgres -s /bin/sh -c "$bin/initdb -D '$dir/pg/data' -U postgres --auth=trust -E UTF8 --no-locale" >"$dir/initdb.log" 2>&1
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir/pg/data' -l '$dir/pg/server.log' -w -t 30 \
    -o \"-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories='$dir/pg' -c max_connections=300 -c fsync=off\" start" >&2
  head -1 "$dir/pg/data/postmaster.pid" > "$dir/pg.pid"

  mkdir -p "$dir/redis"
  redis-server --bind 127.0.0.1 --port "$redis_port" --daemonize yes --pidfile "$dir/redis.pid" \
    --dir "$dir/redis" --save "" --appendonly no --logfile "$dir/redis/redis.log"
  for _ in $(seq 1 50); do [ -s "$dir/redis.pid" ] && redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

  cat > "$dir/env" <<ENV
DATABASE_URL=postgresql://postgres@127.0.0.1:$pg_port/postgres
REDIS_URL=redis://127.0.0.1:$redis_port
ENV
  echo "PostgreSQL pid $(cat "$dir/pg.pid") on 127.0.0.1:$pg_port, Redis pid $(cat "$dir/redis.pid") on 127.0.0.1:$redis_port" >&2
}

stop() {
  local f pid
  for f in "$dir/redis.pid" "$dir/pg.pid"; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac
