#!/usr/bin/env bash
# Throwaway test services for lucia: PostgreSQL, MariaDB, Redis, a 3-master Redis Cluster,
# an OpenID Connect provider, an SMTP server and a MongoDB-compatible server, listening on
# 127.0.0.1 only, on non-default ports, with all state kept under ${LUCIA_SERVICES_DIR:-/tmp/lucia-services}. Missing servers (and
# Node.js) are installed from Debian's packages, the provider's npm packages from the lock
# file in scripts/oidc. Needs root (apt-get, runuser); `env` and `status` do not.
#
#   scripts/services.sh up            install if missing, start everything, print the env
#   scripts/services.sh down          stop everything (data dirs are kept)
#   scripts/services.sh env           print the env:  eval "$(scripts/services.sh env)"
#   scripts/services.sh status        one line per service; exit 0 only if all are up
#   scripts/services.sh stop|start postgres|mariadb|redis|oidc|smtp|mongo   (fault injection)
#
# Only the `export ...` lines go to stdout, so `eval "$(scripts/services.sh up)"` works.
#
# Credentials are lucia/lucia everywhere:
#  - PostgreSQL: role `lucia` (LOGIN, CREATEDB) owns database `lucia`; scram-sha-256 over
#    TCP. The superuser `postgres` is reachable only through the socket in $DIR/postgres.
#  - MariaDB: 'lucia'@'127.0.0.1' and 'lucia'@'localhost' get ALL PRIVILEGES ON *.* (without
#    GRANT OPTION), so tests (e.g. #[sqlx::test], which makes `_sqlx_test*` databases) can
#    create and drop databases of any name. root@localhost uses unix_socket auth.
#  - Redis: no auth. `stop redis` uses SHUTDOWN SAVE, so `start redis` brings the data
#    back; `down` uses SHUTDOWN NOSAVE and deletes the dumps.
#  - OIDC: node's oidc-provider (scripts/oidc/server.mjs; before a start, `npm ci` refreshes
#    scripts/oidc/node_modules unless it was installed from the current lock), plain http,
#    issuer http://127.0.0.1:$LUCIA_OIDC_PORT. Users alice/alice-password
#    (alice@example.com, verified, name "Alice Example") and bob/bob-password
#    (bob@example.com, not verified, no name). Confidential clients lucia-test
#    (client_secret_basic), lucia-test-post (client_secret_post), lucia-test-es256 and
#    lucia-test-eddsa (basic; ES256 / EdDSA ID tokens, the others RS256), all with secret
#    lucia-test-secret; public client lucia-test-public (auth method none). Redirect URIs
#    http://127.0.0.1:53081/callback, http://localhost:3000/login/oidc/callback and
#    http://127.0.0.1:3000/login/oidc/callback and http://127.0.0.1:53090/login/oidc/callback (the
#    browser tests' demo). PKCE S256 is required; every code grant
#    gets a refresh token. Codes and tokens live in memory, so `stop`/`start oidc` forgets
#    them; the signing keys are kept in $DIR/oidc/jwks.json until `down`.
#  - SMTP: Python's aiosmtpd (pinned in scripts/smtp/requirements.txt, installed into a venv in
#    $DIR/smtp/venv), plain SMTP without auth on 127.0.0.1:$LUCIA_SMTP_PORT, every message
#    delivered to the Maildir $DIR/smtp/maildir (LUCIA_SMTP_MAILDIR; one file per message in
#    new/). `down` empties it.
#  - MongoDB: no MongoDB server is installable from the registries this project uses, so the
#    MongoDB-wire-compatible nx-27017 (pinned in scripts/mongo/requirements.txt, installed into a
#    venv in $DIR/mongo/venv) listens on 127.0.0.1:$LUCIA_MONGODB_PORT without auth, one SQLite
#    file per database under $DIR/mongo/data (kept by `down`). It reports itself as a standalone
#    server. What it lacks compared to MongoDB is in scripts/mongo/README.md.
# Servers run with fsync off: fine for tests, never for data that matters.
#
# Overrides: LUCIA_PG_PORT (55432), LUCIA_MARIADB_PORT (53306), LUCIA_REDIS_PORT (56379),
# LUCIA_REDIS_CLUSTER_PORTS ("57101 57102 57103"; each node's cluster bus is on port + 100),
# LUCIA_OIDC_PORT (53080), LUCIA_SMTP_PORT (52525), LUCIA_MONGODB_PORT (57017), LUCIA_SERVICES_TIMEOUT (60 s per wait). All these ports lie in
# Linux's default ephemeral range (32768-60999), so in rare cases an outgoing connection can
# hold one; `up` then fails with "Address already in use" in the log tail; pick other ports
# then.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

DIR=${LUCIA_SERVICES_DIR:-/tmp/lucia-services}
PG_PORT=${LUCIA_PG_PORT:-55432}
MY_PORT=${LUCIA_MARIADB_PORT:-53306}
REDIS_PORT=${LUCIA_REDIS_PORT:-56379}
read -r -a CLUSTER_PORTS <<<"${LUCIA_REDIS_CLUSTER_PORTS:-57101 57102 57103}"
OIDC_PORT=${LUCIA_OIDC_PORT:-53080}
SMTP_PORT=${LUCIA_SMTP_PORT:-52525}
MONGO_PORT=${LUCIA_MONGODB_PORT:-57017}
TIMEOUT=${LUCIA_SERVICES_TIMEOUT:-60}
PG_DIR=$DIR/postgres MY_DIR=$DIR/mariadb REDIS_DIR=$DIR/redis OIDC_DIR=$DIR/oidc SMTP_DIR=$DIR/smtp
MONGO_DIR=$DIR/mongo
SMTP_REQS=$(cd "$(dirname "${BASH_SOURCE[0]}")/smtp" && pwd)/requirements.txt
MONGO_REQS=$(cd "$(dirname "${BASH_SOURCE[0]}")/mongo" && pwd)/requirements.txt
OIDC_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/oidc" && pwd)
MY_SOCK=$DIR/mariadb/mariadb.sock

log() { echo "services: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { die "usage: $0 up|down|env|status | stop|start postgres|mariadb|redis|oidc|smtp|mongo"; }

print_env() {
  local urls=() p
  for p in "${CLUSTER_PORTS[@]}"; do urls+=("redis://127.0.0.1:$p/"); done
  echo "export LUCIA_POSTGRES_URL=postgres://lucia:lucia@127.0.0.1:$PG_PORT/lucia"
  echo "export LUCIA_MYSQL_URL=mysql://lucia:lucia@127.0.0.1:$MY_PORT/lucia"
  echo "export LUCIA_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/"
  (IFS=,; echo "export LUCIA_REDIS_CLUSTER_URLS=${urls[*]}")
  echo "export LUCIA_OIDC_ISSUER=http://127.0.0.1:$OIDC_PORT"
  echo "export LUCIA_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT"
  echo "export LUCIA_SMTP_MAILDIR=$SMTP_DIR/maildir"
  echo "export LUCIA_MONGODB_URL=mongodb://127.0.0.1:$MONGO_PORT/"
}

# ---------------------------------------------------------------- process helpers
# proc_alive PID: PID exists and is not a zombie.
proc_alive() { local s; s=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [[ $s != Z ]]; }

# pid_alive PIDFILE PATTERN: the pid in PIDFILE is a live process whose command line
# contains PATTERN (so a stale pid file whose pid was reused does not count).
pid_alive() {
  local pid cmd
  pid=$(head -n1 "$1" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") && [[ $cmd == *"$2"* ]]
}

# start_bg LOGFILE CMD...: run CMD detached, output appended to LOGFILE; pid in BG_PID.
start_bg() { local logf=$1; shift; setsid "$@" </dev/null >>"$logf" 2>&1 & BG_PID=$!; }
bg_alive() { proc_alive "$BG_PID"; }

# wait_for WHAT LOGFILE ALIVE_CMD CMD...: retry CMD for up to $TIMEOUT s, giving up early
# once ALIVE_CMD fails (the server died); on failure print the log tail and exit.
wait_for() {
  local what=$1 logf=$2 alive=$3 deadline=$((SECONDS + TIMEOUT)); shift 3
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)) || ! $alive; then
      log "$what is not ready (timeout ${TIMEOUT}s or process exited); tail of $logf:"
      tail -n 30 "$logf" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
}

# wait_gone WHAT PIDFILE PATTERN: wait for a server to exit, SIGKILL it after $TIMEOUT s.
wait_gone() {
  local deadline=$((SECONDS + TIMEOUT))
  while pid_alive "$2" "$3"; do
    if ((SECONDS >= deadline)); then
      log "$1 did not stop in ${TIMEOUT}s, killing it"; kill -KILL "$(head -n1 "$2")" || true
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------- installation
pg_bin() { # newest /usr/lib/postgresql/<ver>/bin that has initdb
  local f; f=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)
  [[ -x $f ]] && dirname "$f"
}
first_cmd() { local c; for c in "$@"; do command -v "$c" && return 0; done; return 1; }

install_packages() {
  local pkgs=()
  pg_bin >/dev/null && command -v psql >/dev/null || pkgs+=(postgresql postgresql-client)
  first_cmd mariadbd mysqld >/dev/null && first_cmd mariadb-install-db mysql_install_db >/dev/null ||
    pkgs+=(mariadb-server)
  first_cmd mariadb mysql >/dev/null && first_cmd mariadb-admin mysqladmin >/dev/null ||
    pkgs+=(mariadb-client)
  command -v redis-server >/dev/null || pkgs+=(redis-server)
  command -v redis-cli >/dev/null || pkgs+=(redis-tools)
  command -v node >/dev/null || pkgs+=(nodejs)
  command -v npm >/dev/null || pkgs+=(npm)
  command -v curl >/dev/null || pkgs+=(curl)
  python3 -c 'import venv, ensurepip' 2>/dev/null || pkgs+=(python3-venv)
  ((${#pkgs[@]})) || return 0
  log "installing ${pkgs[*]}"
  # Keep the packages' postinst from starting system-wide servers on the default ports.
  local guard=/usr/sbin/policy-rc.d made_guard=
  if [[ ! -e $guard ]]; then printf '#!/bin/sh\nexit 101\n' >"$guard"; chmod +x "$guard"; made_guard=1; fi
  local rc=0
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends "${pkgs[@]}"; } || rc=$?
  [[ -z $made_guard ]] || rm -f "$guard"
  ((rc == 0)) || die "apt-get install failed"
}

# ---------------------------------------------------------------- PostgreSQL
as_pg() { (cd / && runuser -u postgres -- "$@"); }
pg_running() { pid_alive "$PG_DIR/data/postmaster.pid" "$PG_DIR/data"; }
pg_gone() { # no live process has the data dir as its cwd (postgres processes all do)
  local p; for p in /proc/[0-9]*; do [[ $(readlink "$p/cwd" 2>/dev/null) != "$PG_DIR/data" ]] || return 1; done
}
pg_sql() { as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

start_postgres() {
  PG_BIN=$(pg_bin) || die "no PostgreSQL server under /usr/lib/postgresql"
  id postgres >/dev/null 2>&1 || die "system user postgres is missing"
  install -d -o postgres -g postgres -m 0755 "$PG_DIR"
  as_pg test -w "$PG_DIR" || die "user postgres cannot write $PG_DIR (private parent dir?)"
  if [[ ! -e $PG_DIR/.initialised ]]; then
    log "postgres: initdb in $PG_DIR/data"
    rm -rf "$PG_DIR/data"
    as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --no-locale --no-sync \
      --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
      { tail -n 30 "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    touch "$PG_DIR/.initialised"
  fi
  if pg_running; then
    log "postgres: already running on 127.0.0.1:$PG_PORT"
  else
    log "postgres: starting on 127.0.0.1:$PG_PORT"
    # After a crash (kill -9) wait for leftover processes of this data dir to exit, then drop
    # the stale lock files: their pid may be a zombie or belong to another process by now.
    wait_for "old postgres processes to exit" "$PG_DIR/postgres.log" true pg_gone
    rm -f "$PG_DIR/data/postmaster.pid" "$PG_DIR/.s.PGSQL.$PG_PORT.lock"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t "$TIMEOUT" start \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" ||
      { tail -n 30 "$PG_DIR/postgres.log" >&2; die "postgres did not start"; }
  fi
  wait_for postgres "$PG_DIR/postgres.log" pg_running "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
  # Idempotent bootstrap: role with password, and its database.
  pg_sql <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lucia') THEN CREATE ROLE lucia; END IF;
END $$;
ALTER ROLE lucia WITH LOGIN CREATEDB PASSWORD 'lucia';
SQL
  [[ $(pg_sql -c "SELECT 1 FROM pg_database WHERE datname = 'lucia'") == 1 ]] ||
    pg_sql -c "CREATE DATABASE lucia OWNER lucia"
}

stop_postgres() {
  pg_running || return 0
  log "postgres: stopping"
  PG_BIN=$(pg_bin) || die "no PostgreSQL server under /usr/lib/postgresql"
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t "$TIMEOUT" stop >/dev/null ||
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t "$TIMEOUT" stop >/dev/null
}

# ---------------------------------------------------------------- MariaDB
my_running() { pid_alive "$MY_DIR/mariadbd.pid" "--datadir=$MY_DIR/data"; }
my_admin() { "$(first_cmd mariadb-admin mysqladmin)" --no-defaults -uroot -S "$MY_SOCK" "$@"; }

start_mariadb() {
  local mysqld; mysqld=$(first_cmd mariadbd mysqld) || die "mariadbd not found"
  id mysql >/dev/null 2>&1 || die "system user mysql is missing"
  install -d -o mysql -g mysql -m 0755 "$MY_DIR"
  runuser -u mysql -- test -w "$MY_DIR" || die "user mysql cannot write $MY_DIR (private parent dir?)"
  if [[ ! -e $MY_DIR/.initialised ]]; then
    log "mariadb: mariadb-install-db in $MY_DIR/data"
    rm -rf "$MY_DIR/data"
    "$(first_cmd mariadb-install-db mysql_install_db)" --no-defaults --user=mysql \
      --datadir="$MY_DIR/data" --auth-root-authentication-method=socket --skip-test-db \
      >"$MY_DIR/install-db.log" 2>&1 || { tail -n 30 "$MY_DIR/install-db.log" >&2; die "mariadb-install-db failed"; }
    touch "$MY_DIR/.initialised"
  fi
  local logf=$MY_DIR/mariadb.log alive=bg_alive
  if my_running; then
    log "mariadb: already running on 127.0.0.1:$MY_PORT"; alive=my_running
  else
    log "mariadb: starting on 127.0.0.1:$MY_PORT"
    touch "$logf"; chown mysql: "$logf"
    start_bg "$logf" "$mysqld" --no-defaults --user=mysql --datadir="$MY_DIR/data" \
      --port="$MY_PORT" --bind-address=127.0.0.1 --socket="$MY_SOCK" \
      --pid-file="$MY_DIR/mariadbd.pid" --log-error="$logf" --skip-name-resolve \
      --max-connections=300 --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0
  fi
  wait_for mariadb "$logf" "$alive" my_admin ping
  # Idempotent bootstrap (as root over the socket, unix_socket auth).
  "$(first_cmd mariadb mysql)" --no-defaults -uroot -S "$MY_SOCK" <<'SQL'
CREATE DATABASE IF NOT EXISTS lucia CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'lucia'@'127.0.0.1' IDENTIFIED BY 'lucia';
CREATE USER IF NOT EXISTS 'lucia'@'localhost' IDENTIFIED BY 'lucia';
ALTER USER 'lucia'@'127.0.0.1' IDENTIFIED BY 'lucia';
ALTER USER 'lucia'@'localhost' IDENTIFIED BY 'lucia';
GRANT ALL PRIVILEGES ON *.* TO 'lucia'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'lucia'@'localhost';
SQL
}

stop_mariadb() {
  my_running || return 0
  log "mariadb: stopping"
  my_admin shutdown || true
  wait_gone mariadb "$MY_DIR/mariadbd.pid" "--datadir=$MY_DIR/data"
}

# ---------------------------------------------------------------- Redis
redis_running() { pid_alive "$REDIS_DIR/$1/redis.pid" "127.0.0.1:$1"; }
redis_pong() { [[ $(redis-cli -p "$1" ping 2>/dev/null) == PONG ]]; }

start_redis_node() { # PORT [extra redis-server args...]
  local port=$1 d=$REDIS_DIR/$1 alive=bg_alive; shift
  mkdir -p "$d"
  if redis_running "$port"; then
    log "redis: already running on 127.0.0.1:$port"; alive="redis_running $port"
  else
    log "redis: starting on 127.0.0.1:$port"
    start_bg "$d/redis.log" redis-server --bind 127.0.0.1 --port "$port" --daemonize no \
      --save '' --appendonly no --dir "$d" --pidfile "$d/redis.pid" --logfile "$d/redis.log" "$@"
  fi
  wait_for "redis on $port" "$d/redis.log" "$alive" redis_pong "$port"
}

cluster_ok() { # every node reports cluster_state:ok
  local p; for p in "${CLUSTER_PORTS[@]}"; do
    [[ $(redis-cli -p "$p" cluster info) == *cluster_state:ok* ]] || return 1
  done
}
cluster_formed() { # every node already knows all the others and all slots are assigned
  local p info; for p in "${CLUSTER_PORTS[@]}"; do
    info=$(redis-cli -p "$p" cluster info)
    [[ $info == *"cluster_slots_assigned:16384"* && $info == *"cluster_known_nodes:${#CLUSTER_PORTS[@]}"* ]] || return 1
  done
}

start_redis() {
  local p
  start_redis_node "$REDIS_PORT"
  for p in "${CLUSTER_PORTS[@]}"; do
    # The default bus port (port + 10000) would be out of range for ports above 55535.
    start_redis_node "$p" --cluster-enabled yes --cluster-port "$((p + 100))" \
      --cluster-config-file nodes.conf --cluster-node-timeout 5000
  done
  if ! cluster_formed; then # fresh (or half-wiped) nodes: reset them and create the cluster
    log "redis: creating cluster on ports ${CLUSTER_PORTS[*]}"
    for p in "${CLUSTER_PORTS[@]}"; do
      redis-cli -p "$p" flushall >/dev/null; redis-cli -p "$p" cluster reset hard >/dev/null
    done
    redis-cli --cluster create "${CLUSTER_PORTS[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes \
      >"$REDIS_DIR/cluster-create.log" 2>&1 ||
      { tail -n 30 "$REDIS_DIR/cluster-create.log" >&2; die "redis-cli --cluster create failed"; }
  fi
  wait_for "redis cluster" "$REDIS_DIR/${CLUSTER_PORTS[0]}/redis.log" true cluster_ok
}

stop_redis() { # save|nosave
  local p
  for p in "$REDIS_PORT" "${CLUSTER_PORTS[@]}"; do
    if redis_running "$p"; then
      log "redis: stopping 127.0.0.1:$p ($1)"
      redis-cli -p "$p" shutdown "$1" >/dev/null 2>&1 || true
      wait_gone "redis on $p" "$REDIS_DIR/$p/redis.pid" "127.0.0.1:$p"
    fi
    [[ $1 == save ]] || rm -f "$REDIS_DIR/$p/dump.rdb"
  done
}

# ---------------------------------------------------------------- OIDC provider
oidc_running() { pid_alive "$OIDC_DIR/oidc.pid" oidc/server.mjs; }
oidc_discovery() { # the provider answers discovery with its issuer
  [[ $(curl -fsS --max-time 5 "http://127.0.0.1:$OIDC_PORT/.well-known/openid-configuration" 2>/dev/null) == \
    *"\"issuer\":\"http://127.0.0.1:$OIDC_PORT\""* ]]
}

oidc_install() { # npm ci unless node_modules was installed from this very lock file
  local stamp=$OIDC_SRC/node_modules/.lucia-package-lock.json
  cmp -s "$OIDC_SRC/package-lock.json" "$stamp" && return 0
  log "oidc: npm ci in $OIDC_SRC"
  (cd "$OIDC_SRC" && npm ci --no-audit --no-fund) >"$OIDC_DIR/npm-ci.log" 2>&1 ||
    { tail -n 30 "$OIDC_DIR/npm-ci.log" >&2; die "npm ci in $OIDC_SRC failed"; }
  cp "$OIDC_SRC/package-lock.json" "$stamp"
}

start_oidc() {
  command -v node >/dev/null || die "node not found"
  mkdir -p "$OIDC_DIR"
  local logf=$OIDC_DIR/oidc.log alive=bg_alive
  if oidc_running; then
    log "oidc: already running on 127.0.0.1:$OIDC_PORT"; alive=oidc_running
  else
    oidc_install
    log "oidc: starting on 127.0.0.1:$OIDC_PORT"
    start_bg "$logf" env LUCIA_OIDC_PORT="$OIDC_PORT" LUCIA_OIDC_JWKS_FILE="$OIDC_DIR/jwks.json" \
      node "$OIDC_SRC/server.mjs"
    echo "$BG_PID" >"$OIDC_DIR/oidc.pid"
  fi
  wait_for oidc "$logf" "$alive" oidc_discovery
}

stop_oidc() {
  oidc_running || return 0
  log "oidc: stopping"
  kill -TERM "$(head -n1 "$OIDC_DIR/oidc.pid")" || true
  wait_gone oidc "$OIDC_DIR/oidc.pid" oidc/server.mjs
}

# ---------------------------------------------------------------- SMTP server
smtp_running() { pid_alive "$SMTP_DIR/smtp.pid" aiosmtpd; }
smtp_banner() { # the server greets with 220
  local line
  exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT" || return 1
  IFS= read -r -t 5 line <&3 || { exec 3<&-; return 1; }
  printf 'QUIT\r\n' >&3; exec 3<&-
  [[ $line == 220* ]]
}

smtp_install() { # a venv with the pinned packages, rebuilt when the requirements change
  local stamp=$SMTP_DIR/venv/.lucia-requirements.txt
  cmp -s "$SMTP_REQS" "$stamp" && return 0
  log "smtp: installing aiosmtpd into $SMTP_DIR/venv"
  rm -rf "$SMTP_DIR/venv"
  { python3 -m venv "$SMTP_DIR/venv" &&
    "$SMTP_DIR/venv/bin/pip" install --quiet --disable-pip-version-check -r "$SMTP_REQS"; } \
    >"$SMTP_DIR/pip.log" 2>&1 || { tail -n 30 "$SMTP_DIR/pip.log" >&2; die "pip install failed"; }
  cp "$SMTP_REQS" "$stamp"
}

start_smtp() {
  mkdir -p "$SMTP_DIR/maildir/tmp" "$SMTP_DIR/maildir/new" "$SMTP_DIR/maildir/cur"
  local logf=$SMTP_DIR/smtp.log alive=bg_alive
  if smtp_running; then
    log "smtp: already running on 127.0.0.1:$SMTP_PORT"; alive=smtp_running
  else
    smtp_install
    log "smtp: starting on 127.0.0.1:$SMTP_PORT"
    start_bg "$logf" "$SMTP_DIR/venv/bin/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
      -c aiosmtpd.handlers.Mailbox "$SMTP_DIR/maildir"
    echo "$BG_PID" >"$SMTP_DIR/smtp.pid"
  fi
  wait_for smtp "$logf" "$alive" smtp_banner
}

stop_smtp() {
  smtp_running || return 0
  log "smtp: stopping"
  kill -TERM "$(head -n1 "$SMTP_DIR/smtp.pid")" || true
  wait_gone smtp "$SMTP_DIR/smtp.pid" aiosmtpd
}

# ---------------------------------------------------------------- MongoDB-compatible server
mongo_running() { pid_alive "$MONGO_DIR/mongo.pid" "$MONGO_DIR/data"; }
mongo_ping() { # a real protocol round trip (hello + ping through pymongo), not just a TCP accept
  "$MONGO_DIR/venv/bin/python" - "$MONGO_PORT" <<'PY'
import sys, pymongo
client = pymongo.MongoClient("127.0.0.1", int(sys.argv[1]), serverSelectionTimeoutMS=2000)
client.admin.command("ping")
PY
}

mongo_install() { # a venv with the pinned packages, rebuilt when the requirements change
  local stamp=$MONGO_DIR/venv/.lucia-requirements.txt
  cmp -s "$MONGO_REQS" "$stamp" && return 0
  log "mongo: installing nx-27017 into $MONGO_DIR/venv"
  rm -rf "$MONGO_DIR/venv"
  { python3 -m venv "$MONGO_DIR/venv" &&
    "$MONGO_DIR/venv/bin/pip" install --quiet --disable-pip-version-check -r "$MONGO_REQS"; } \
    >"$MONGO_DIR/pip.log" 2>&1 || { tail -n 30 "$MONGO_DIR/pip.log" >&2; die "pip install failed"; }
  cp "$MONGO_REQS" "$stamp"
}

start_mongo() {
  mkdir -p "$MONGO_DIR/data"
  local logf=$MONGO_DIR/mongo.log alive=bg_alive
  if mongo_running; then
    log "mongo: already running on 127.0.0.1:$MONGO_PORT"; alive=mongo_running
  else
    mongo_install
    log "mongo: starting nx-27017 on 127.0.0.1:$MONGO_PORT"
    # Foreground (no -d): start_bg detaches it. Its own log and pid files stay in $MONGO_DIR
    # (the defaults are shared paths in /tmp).
    start_bg "$logf" "$MONGO_DIR/venv/bin/nx-27017" --host 127.0.0.1 --port "$MONGO_PORT" \
      --data-dir="$MONGO_DIR/data" --log-file "$MONGO_DIR/nx-27017.log" \
      --pid-file "$MONGO_DIR/nx-27017.pid"
    echo "$BG_PID" >"$MONGO_DIR/mongo.pid"
  fi
  wait_for mongo "$logf" "$alive" mongo_ping
}

stop_mongo() {
  mongo_running || return 0
  log "mongo: stopping"
  kill -TERM "$(head -n1 "$MONGO_DIR/mongo.pid")" || true
  wait_gone mongo "$MONGO_DIR/mongo.pid" "$MONGO_DIR/data"
}

# ---------------------------------------------------------------- status
check() { # NAME CMD...: print "NAME: up|down"
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then echo "$name: up"; else echo "$name: down"; return 1; fi
}
status() {
  local rc=0 p pg; pg=$(pg_bin) || pg=/nonexistent
  check "postgres 127.0.0.1:$PG_PORT" env PGPASSWORD=lucia "$pg/psql" -h 127.0.0.1 -p "$PG_PORT" \
    -U lucia -d lucia -tAc 'select 1' || rc=1
  check "mariadb 127.0.0.1:$MY_PORT" env MYSQL_PWD=lucia "$(first_cmd mariadb mysql || echo false)" \
    --no-defaults -h127.0.0.1 -P"$MY_PORT" -ulucia lucia -e 'select 1' || rc=1
  check "redis 127.0.0.1:$REDIS_PORT" redis_pong "$REDIS_PORT" || rc=1
  check "redis-cluster 127.0.0.1:${CLUSTER_PORTS[*]}" cluster_ok || rc=1
  check "oidc http://127.0.0.1:$OIDC_PORT" oidc_discovery || rc=1
  check "smtp 127.0.0.1:$SMTP_PORT" smtp_banner || rc=1
  check "mongo 127.0.0.1:$MONGO_PORT" mongo_ping || rc=1
  return $rc
}

# ---------------------------------------------------------------- main
[[ $DIR != *[[:space:]]* ]] || die "LUCIA_SERVICES_DIR must not contain whitespace"
cmd=${1:-}
case $cmd in
  env) print_env; exit 0 ;;
  status) status; exit ;;
  up | down) (($# == 1)) || usage ;;
  start | stop) [[ $# == 2 && $2 =~ ^(postgres|mariadb|redis|oidc|smtp|mongo)$ ]] || usage ;;
  *) usage ;;
esac
((EUID == 0)) || die "$cmd needs root"
# Serialise concurrent invocations: re-exec under flock (-o: servers do not inherit the lock).
if [[ -z ${LUCIA_SERVICES_LOCKED:-} ]]; then
  [[ -d $DIR ]] || { mkdir -p "$DIR"; chmod 0755 "$DIR"; }
  LUCIA_SERVICES_LOCKED=1 exec flock -o -w "$((TIMEOUT * 5))" "$DIR/.lock" "$BASH" "$0" "$@"
fi

case $cmd in
  up) { install_packages; start_postgres; start_mariadb; start_redis; start_oidc; start_smtp; start_mongo; } >&2
      log "all services up"; print_env ;;
  down) stop_postgres; stop_mariadb; stop_redis nosave; stop_oidc; rm -f "$OIDC_DIR/jwks.json"
        stop_smtp; rm -rf "$SMTP_DIR/maildir"
        stop_mongo
        log "all services down" ;;
  start) install_packages >&2; "start_$2" >&2 ;;
  stop) if [[ $2 == redis ]]; then stop_redis save; else "stop_$2"; fi ;;
esac
