#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: `pg_cluster.sh start STATE_DIR` runs initdb in a fresh temporary folder and
# starts the server on a free loopback port (its unix socket in that folder too), then writes the server's URL to
# STATE_DIR/url; `pg_cluster.sh stop STATE_DIR` stops it and removes the folder. PostgreSQL refuses to run as root:
# as root (CI) both run as the `postgres` user through runuser, otherwise as the caller.
# CTest runs them as the pg_cluster fixture (tests/CMakeLists.txt); the C++ tests read STATE_DIR/url.
set -euo pipefail

action=${1:?usage: pg_cluster.sh start|stop|restart STATE_DIR}
state=${2:?usage: pg_cluster.sh start|stop|restart STATE_DIR}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg_cluster: no PostgreSQL server binaries under /usr/lib/postgresql (scripts/deps.sh installs postgresql)" >&2
  exit 1
fi
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  as_owner=(runuser -u postgres --)
fi

stop_cluster() {
  [ -f "$state/dir" ] || return 0
  local dir
  dir=$(cat "$state/dir")
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  case "$dir" in /tmp/thumbgen-pg.*) rm -rf "$dir" ;; esac
  rm -f "$state/dir" "$state/url"
}

case "$action" in
  stop)
    stop_cluster
    ;;
  restart)
    # As after a crash (immediate: no shutdown checkpoint), on the same port: the chaos test's database restart.
    dir=$(cat "$state/dir")
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m immediate -w -t 60 restart >/dev/null
    ;;
  start)
    mkdir -p "$state"
    stop_cluster  # one left by an interrupted run
    dir=$(mktemp -d /tmp/thumbgen-pg.XXXXXX)
    echo "$dir" >"$state/dir"
    [ ${#as_owner[@]} -eq 0 ] || chown postgres:postgres "$dir"
    # No fsync: a test cluster lost in a crash is simply made again.
    if ! "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
        --no-sync >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2
      exit 1
    fi
    for attempt in $(seq 1 20); do
      port=$((20000 + RANDOM % 40000))
      if "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
          start >/dev/null 2>&1; then
        echo "postgresql://postgres@127.0.0.1:$port" >"$state/url"
        echo "pg_cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
        exit 0
      fi
      # Only a port someone else holds is worth another try.
      grep -q "Address already in use\|could not bind" "$dir/server.log" 2>/dev/null || break
    done
    echo "pg_cluster: PostgreSQL did not start:" >&2
    cat "$dir/server.log" >&2 || true
    exit 1
    ;;
  *)
    echo "usage: pg_cluster.sh start|stop|restart STATE_DIR" >&2
    exit 2
    ;;
esac
