# PostgreSQL from the machine's own binaries, as a cluster in a folder of ours. Source it.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.

# (`return 0`, not `return`: inside an EXIT trap a bare return would repeat the status that
# triggered the trap, and the caller's `set -e` would abandon the clean-up.)
pg_bin_dir() {
  local dir
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  die "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL 15+ (Debian: apt-get install postgresql)"
}

# Runs a PostgreSQL binary as the cluster's owner.
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_init DATA_DIR: creates the cluster when the folder holds none (trust auth, loopback only).
pg_init() {
  local data=$1 bin
  bin=$(pg_bin_dir)
  [ -f "$data/PG_VERSION" ] && return 0
  mkdir -p "$data"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres: "$data"
  fi
  chmod 700 "$data"
  pg_as_owner "$bin/initdb" --pgdata="$data" --username=postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null || die "initdb failed in $data"
}

# pg_start DATA_DIR PORT LOGFILE [extra postgres -c options...]: starts and waits until ready.
pg_start() {
  local data=$1 port=$2 logfile=$3 bin opts
  shift 3
  bin=$(pg_bin_dir)
  opts="-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=200 $*"
  touch "$logfile"
  [ "$(id -u)" = 0 ] && chown postgres: "$logfile"
  pg_as_owner "$bin/pg_ctl" --pgdata="$data" --log="$logfile" --options="$opts" --wait --timeout=60 start >/dev/null \
    || { tail -20 "$logfile" >&2; die "PostgreSQL did not start (log: $logfile)"; }
}

pg_stop() {
  local data=$1 bin
  bin=$(pg_bin_dir)
  [ -f "$data/postmaster.pid" ] || return 0
  pg_as_owner "$bin/pg_ctl" --pgdata="$data" --mode=fast --wait stop >/dev/null 2>&1 || true
}

# pg_create_db PORT NAME: creates the database unless it exists.
pg_create_db() {
  local port=$1 name=$2 psql
  psql=$(command -v psql || echo "$(pg_bin_dir)/psql")
  if ! "$psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" postgres | grep -q 1; then
    "$psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE \"$name\"" postgres
  fi
}

# Settings for a throwaway cluster: durability traded for speed, as nothing in it must survive.
PG_THROWAWAY_OPTS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
