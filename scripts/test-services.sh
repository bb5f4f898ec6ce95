#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL and Redis on loopback for the test suite, each with its own
# data directory and a free port, and writes the env lines to use. Installs them from apt when missing.
#   scripts/test-services.sh start [DIR]   -> writes DIR/env (DATABASE_URL, REDIS_URL)
#   scripts/test-services.sh stop  [DIR]   -> stops both by PID
# Ports: the kernel picks free ones, so other servers on the machine (a developer's PostgreSQL on 5432,
# another run's services) are never in the way; CS_TEST_PG_PORT / CS_TEST_REDIS_PORT pin them instead, and
# start-up fails if something already listens there. Either way the script checks that the server answering
# on each port is the one it started (PostgreSQL's data directory, Redis's process id): the suite never
# runs against a stranger's server. When start-up fails it prints the services' logs (initdb, PostgreSQL,
# Redis) to stderr, leaves them in DIR and exits non-zero.
set -euo pipefail
cmd=${1:-start}
dir=${2:-/tmp/cs-mcp-test-services}

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

print_logs() {
  local f
  for f in "$dir/initdb.log" "$dir/pg/server.log" "$dir/redis/redis.log"; do
    [ -s "$f" ] || continue
    echo "----- $f" >&2
    tail -n 200 "$f" >&2
  done
}

fail() {
  echo "test-services: $*" >&2
  print_logs
  stop
  echo "test-services: start-up failed; logs kept in $dir" >&2
  exit 1
}

# Something accepts connections on 127.0.0.1:$1.
listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port free on 127.0.0.1 (bound with port 0, then released), or the pinned one if nothing listens there.
pick_port() {
  local pinned=$1 name=$2
  if [ -n "$pinned" ]; then
    listening "$pinned" && fail "$name=$pinned: another server already listens on 127.0.0.1:$pinned (unset $name to use a free port)"
    echo "$pinned"
    return
  fi
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); });'
}

start_postgres() {
  local bin port served
  bin=$(pg_bin)
  port=$(pick_port "${CS_TEST_PG_PORT:-}" CS_TEST_PG_PORT)
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
  # PostgreSQL refuses to run as root: its data directory belongs to the postgres user.
  install -d -o postgres -g postgres "$dir/pg"
  su postgres -s /bin/sh -c "$bin/initdb -D '$dir/pg/data' -U postgres --auth=trust -E UTF8 --no-locale" >"$dir/initdb.log" 2>&1 ||
    fail "initdb failed"
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir/pg/data' -l '$dir/pg/server.log' -w -t 30 \
    -o \"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir/pg' -c max_connections=300 -c fsync=off\" start" >&2 ||
    fail "PostgreSQL did not start on 127.0.0.1:$port"
  head -1 "$dir/pg/data/postmaster.pid" >"$dir/pg.pid"
  # Ours only if the server on the TCP port serves the data directory just made.
  served=$(PGCONNECT_TIMEOUT=5 "$bin/psql" -w -h 127.0.0.1 -p "$port" -U postgres -d postgres -XAtc "show data_directory" 2>&1) ||
    fail "PostgreSQL on 127.0.0.1:$port does not answer: $served"
  [ "$served" = "$dir/pg/data" ] || fail "the PostgreSQL on 127.0.0.1:$port is not ours: it serves $served, not $dir/pg/data"
  pg_port=$port
}

start_redis() {
  local port pid="" served=""
  port=$(pick_port "${CS_TEST_REDIS_PORT:-}" CS_TEST_REDIS_PORT)
  mkdir -p "$dir/redis"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --pidfile "$dir/redis.pid" \
    --dir "$dir/redis" --save "" --appendonly no --logfile "$dir/redis/redis.log" || fail "redis-server did not start"
  # Daemonized, redis-server returns before it listens (or fails to): wait until the process that wrote our
  # pid file is the one answering on the port. A foreign Redis answering there does not count.
  for _ in $(seq 1 100); do
    if [ -s "$dir/redis.pid" ]; then
      pid=$(cat "$dir/redis.pid")
      served=$(redis-cli -h 127.0.0.1 -p "$port" INFO server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')
      [ "$served" = "$pid" ] && break
      kill -0 "$pid" 2>/dev/null || fail "Redis (pid $pid) exited during start-up"
    fi
    grep -q "Failed listening" "$dir/redis/redis.log" 2>/dev/null && fail "Redis could not listen on 127.0.0.1:$port"
    sleep 0.1
  done
  [ -n "$pid" ] || fail "Redis did not start on 127.0.0.1:$port (no pid file after 10 s)"
  [ "$served" = "$pid" ] || fail "the Redis on 127.0.0.1:$port is not ours: it reports process_id '${served}', ours is $pid"
  redis_port=$port
}

start() {
  local f
  for f in "$dir/pg.pid" "$dir/redis.pid"; do
    if [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then
      echo "test-services: $dir already has running services (pid $(cat "$f") in $f); run '$0 stop $dir' first or use another DIR" >&2
      exit 1
    fi
  done
  install_missing
  mkdir -p "$dir"
  chmod 755 "$dir"
  # A fresh start: no data, pid file or log of an earlier run is taken for this one's.
  rm -rf "$dir/pg" "$dir/redis" "$dir/initdb.log" "$dir/pg.pid" "$dir/redis.pid" "$dir/env"
  start_postgres
  start_redis
  cat >"$dir/env" <<ENV
DATABASE_URL=postgresql://postgres@127.0.0.1:$pg_port/postgres
REDIS_URL=redis://127.0.0.1:$redis_port
ENV
  echo "PostgreSQL pid $(cat "$dir/pg.pid") on 127.0.0.1:$pg_port, Redis pid $(cat "$dir/redis.pid") on 127.0.0.1:$redis_port; env in $dir/env" >&2
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
