#!/usr/bin/env bash
# HTTP load benchmark of lucia-axum against axum-login + tower-sessions (see BENCHMARKS.md).
#
#   scripts/bench.sh                 full run: every variant, interleaved, ROUNDS rounds (release build)
#   scripts/bench.sh --smoke         CI smoke (seconds): each server variant answers one
#                                    authenticated request with 200 and an anonymous one with 401;
#                                    the criterion benches run once each in test mode
#   scripts/bench.sh --executor      only the executor check (cheap route under login load)
#   scripts/bench.sh --all           the full run, then the criterion benches and the scale
#                                    check (10 000 vs 1 000 000 sessions) — what BENCHMARKS.md reports
#
# Options: --rounds N (5), --duration SECONDS (10), --connections N (32), --variants "a b c",
# --out DIR (target/bench-results). PostgreSQL and Redis variants need LUCIA_POSTGRES_URL and
# LUCIA_REDIS_URL (read from scripts/services.sh env when unset); without them they are
# SKIPPED, or fail with LUCIA_REQUIRE_SERVICES=1. The load generator is Debian's wrk
# (installed with apt-get when missing). Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=full ROUNDS=5 DURATION=10 CONNECTIONS=32 OUT=target/bench-results
VARIANTS="none lucia-memory login-memory lucia-sqlite login-sqlite lucia-postgres login-postgres lucia-redis login-redis"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) MODE=smoke ;;
    --executor) MODE=executor ;;
    --all) MODE=all ;;
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --variants) VARIANTS=$2; shift ;;
    --out) OUT=$2; shift ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done

if [ -z "${LUCIA_POSTGRES_URL:-}${LUCIA_REDIS_URL:-}" ] && [ -f scripts/services.sh ]; then
  eval "$(bash scripts/services.sh env 2>/dev/null || true)"
fi

TARGET_DIR=${CARGO_TARGET_DIR:-target}
if [ "$MODE" = smoke ]; then
  PROFILE_FLAG=() ; BIN="$TARGET_DIR/debug/bench-server"
else
  PROFILE_FLAG=(--release) ; BIN="$TARGET_DIR/release/bench-server"
fi
echo "== building bench-server (${PROFILE_FLAG[*]:-debug})"
cargo build -q -p lucia-bench --bin bench-server "${PROFILE_FLAG[@]}"

if [ "$MODE" != smoke ] && ! command -v wrk >/dev/null; then
  echo "== installing wrk (Debian package)"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

mkdir -p "$OUT"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# Below the ephemeral range (32768-60999), where client sockets could already hold a port.
PORT_BASE=${LUCIA_BENCH_PORT:-28080}

needs_url() { # variant -> the env var it needs, if any
  case "$1" in
    *-postgres) echo LUCIA_POSTGRES_URL ;;
    *-redis) echo LUCIA_REDIS_URL ;;
    *) echo "" ;;
  esac
}

available() { # variant -> 0 when its service URL is set
  local var; var=$(needs_url "$1")
  if [ -n "$var" ] && [ -z "${!var:-}" ]; then
    if [ "${LUCIA_REQUIRE_SERVICES:-}" = 1 ]; then
      echo "FAILED $1: $var is not set but LUCIA_REQUIRE_SERVICES=1" >&2; exit 1
    fi
    echo "SKIPPED $1: $var is not set (see scripts/services.sh)" >&2
    return 1
  fi
}

# start_server VARIANT PORT [taskset cpu list]; sets SERVER_PID and COOKIE
start_server() {
  local variant=$1 port=$2 cpus=${3:-}
  local log="$WORK/$variant.out"
  : >"$log"
  if [ -n "$cpus" ]; then
    taskset -c "$cpus" "$BIN" "$variant" "$port" --db-dir "$WORK/db" >"$log" 2>"$WORK/$variant.err" &
  else
    "$BIN" "$variant" "$port" --db-dir "$WORK/db" >"$log" 2>"$WORK/$variant.err" &
  fi
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if grep -q '^READY' "$log"; then
      COOKIE=$(sed -n 's/^COOKIE //p' "$log")
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "bench-server $variant did not start:" >&2; cat "$WORK/$variant.err" >&2; exit 1
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

status_of() { # url [cookie]
  if [ -n "${2:-}" ]; then
    curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $2" "$1"
  else
    curl -s -o /dev/null -w '%{http_code}' "$1"
  fi
}

check_server() { # variant port: 200 with the cookie, 401 without (none: 200 both)
  local variant=$1 port=$2 url="http://127.0.0.1:$2/protected"
  local with without expected_without=401
  with=$(status_of "$url" "$COOKIE")
  without=$(status_of "$url")
  [ "$variant" = none ] && expected_without=200
  if [ "$with" != 200 ] || [ "$without" != "$expected_without" ]; then
    echo "FAILED $variant: $with with the cookie (want 200), $without without (want $expected_without)" >&2
    exit 1
  fi
  echo "ok $variant: 200 with the session cookie, $without without"
}

to_us() { # wrk latency like 1.23ms / 456.00us / 1.10s -> microseconds
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); print v + 0 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); print v * 1000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000000 }
    else print v }'
}

# run_wrk CPUS URL CONNECTIONS DURATION [COOKIE] -> "rps p50_us p99_us"
run_wrk() {
  local cpus=$1 url=$2 conns=$3 dur=$4 cookie=${5:-} out
  local args=(-t1 -c"$conns" -d"${dur}s" --latency)
  [ -n "$cookie" ] && args+=(-H "Cookie: $cookie")
  if [ -n "$cpus" ]; then out=$(taskset -c "$cpus" wrk "${args[@]}" "$url"); else out=$(wrk "${args[@]}" "$url"); fi
  echo "$out" >>"$WORK/wrk.log"
  if echo "$out" | grep -q 'Non-2xx'; then echo "FAILED: non-2xx responses from $url" >&2; echo "$out" >&2; exit 1; fi
  local rps p50 p99
  rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  p50=$(to_us "$(echo "$out" | awk '$1 == "50%" {print $2}')")
  p99=$(to_us "$(echo "$out" | awk '$1 == "99%" {print $2}')")
  echo "$rps $p50 $p99"
}

median() { sort -g | awk '{a[NR] = $1} END { if (NR == 0) print "NaN"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo "started: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

if [ "$MODE" = smoke ]; then
  port=$PORT_BASE
  for variant in $VARIANTS; do
    available "$variant" || continue
    start_server "$variant" "$port"
    check_server "$variant" "$port"
    stop_server
    port=$((port + 1))
  done
  echo "== criterion benches in test mode (each benchmark once)"
  cargo test -q -p lucia-bench --benches
  echo "bench smoke: passed"
  exit 0
fi

executor_check() {
  # The cheap route's latency alone, then while password sign-ins (Argon2id, offloaded to
  # tokio's blocking pool by TokioOffload) saturate both cores. No pinning: all compete.
  local port=$((PORT_BASE + 50)) base loaded logins
  start_server lucia-memory "$port"
  run_wrk "" "http://127.0.0.1:$port/password-login" 1 2 >/dev/null # warm-up
  base=$(run_wrk "" "http://127.0.0.1:$port/cheap" 4 "$DURATION")
  wrk -t1 -c8 -d"$((DURATION + 4))s" "http://127.0.0.1:$port/password-login" >"$WORK/logins.txt" &
  local wrk_pid=$!
  sleep 2
  loaded=$(run_wrk "" "http://127.0.0.1:$port/cheap" 4 "$DURATION")
  wait "$wrk_pid"
  logins=$(awk '/^Requests\/sec/ {print $2}' "$WORK/logins.txt")
  stop_server
  {
    echo "# executor check: GET /cheap (4 connections) alone, then with 8 concurrent password sign-ins"
    echo "condition rps p50_us p99_us"
    echo "alone $base"
    echo "under_logins $loaded"
    echo "password_logins_per_s $logins"
  } | tee "$OUT/executor.txt"
}

if [ "$MODE" = executor ]; then
  machine | tee "$OUT/executor-machine.txt"
  executor_check
  exit 0
fi

machine | tee "$OUT/machine.txt"
echo "method: $ROUNDS rounds, variants interleaved, each ${DURATION}s of wrk -t1 -c$CONNECTIONS after a 2s warm-up; server pinned to CPU 0, wrk to CPU 1" | tee -a "$OUT/machine.txt"
RESULTS="$OUT/http-rounds.tsv"
echo -e "round\tvariant\trps\tp50_us\tp99_us" >"$RESULTS"
port=$PORT_BASE
for round in $(seq 1 "$ROUNDS"); do
  for variant in $VARIANTS; do
    available "$variant" 2>/dev/null || continue
    port=$((port + 1))
    start_server "$variant" "$port" 0
    check_server "$variant" "$port" >/dev/null
    run_wrk 1 "http://127.0.0.1:$port/protected" "$CONNECTIONS" 2 "$COOKIE" >/dev/null
    read -r rps p50 p99 < <(run_wrk 1 "http://127.0.0.1:$port/protected" "$CONNECTIONS" "$DURATION" "$COOKIE")
    stop_server
    echo -e "$round\t$variant\t$rps\t$p50\t$p99" | tee -a "$RESULTS"
  done
done

SUMMARY="$OUT/http-summary.txt"
{
  printf '%-16s %12s %10s %10s\n' variant median_rps p50_us p99_us
  for variant in $VARIANTS; do
    awk -F'\t' -v v="$variant" '$2 == v {print $3}' "$RESULTS" | grep -q . || continue
    rps=$(awk -F'\t' -v v="$variant" '$2 == v {print $3}' "$RESULTS" | median)
    p50=$(awk -F'\t' -v v="$variant" '$2 == v {print $4}' "$RESULTS" | median)
    p99=$(awk -F'\t' -v v="$variant" '$2 == v {print $5}' "$RESULTS" | median)
    printf '%-16s %12.0f %10.0f %10.0f\n' "$variant" "$rps" "$p50" "$p99"
    echo "$variant $rps" >>"$WORK/medians"
  done
  echo
  med() { awk -v v="$1" '$1 == v {print $2}' "$WORK/medians"; }
  ceiling=$(med none)
  for backend in memory sqlite postgres redis; do
    l=$(med "lucia-$backend"); a=$(med "login-$backend")
    [ -n "$l" ] || continue
    [ -n "$ceiling" ] && printf 'lucia-%s / ceiling: %.3f\n' "$backend" "$(echo "$l $ceiling" | awk '{print $1 / $2}')"
    [ -n "$a" ] && printf 'lucia-%s / axum-login-%s: %.3f\n' "$backend" "$backend" "$(echo "$l $a" | awk '{print $1 / $2}')"
  done
} | tee "$SUMMARY"

executor_check
echo "results: $RESULTS, $SUMMARY, $OUT/executor.txt"

if [ "$MODE" = all ]; then
  echo "== criterion benches of the core"
  cargo bench -q -p lucia-bench --bench core -- --warm-up-time 1 --measurement-time 3 --noplot 2>&1 \
    | grep -E 'time:|^[a-z_]+/[a-z_]+' | tee "$OUT/criterion.txt"
  echo "== scale check: 10 000 vs 1 000 000 stored sessions"
  cargo build -q -p lucia-bench --bin scale --release
  "$TARGET_DIR/release/scale" --sizes 10000,1000000 --samples 3000 | tee "$OUT/scale.tsv"
fi
