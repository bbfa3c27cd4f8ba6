#!/usr/bin/env bash
# Fuzzing with cargo-fuzz (libFuzzer) on the nightly toolchain: every parser of outside input
# has a target in fuzz/fuzz_targets (see fuzz/README.md).
#
#   scripts/fuzz.sh --smoke [target...]   each target for FUZZ_SMOKE_SECONDS (15) s; fails on a crash
#   scripts/fuzz.sh --long  [target...]   each target for FUZZ_LONG_RUNS (10 000 000) executions
#                                         or FUZZ_LONG_SECONDS (1800) s, whichever comes first;
#                                         appends a line per target to fuzz/target/fuzz-results.txt
#   scripts/fuzz.sh --build               only builds the targets
#
# Targets run one at a time, at low priority, without sanitizers (every crate is
# forbid(unsafe_code)) but with debug assertions and overflow checks. New corpus entries go to
# fuzz/target/corpus/<target> (git-ignored); the committed seeds in fuzz/corpus/<target> are
# read, never written. A crash leaves its input in fuzz/artifacts/<target>/ and fails the run.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
mode=${1:---smoke}
shift || true

nightly=$(rustup toolchain list | awk '/^nightly/ {print $1; exit}')
if [[ -z "$nightly" ]]; then
    echo "fuzz.sh: no nightly toolchain (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo "+$nightly" fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo "+$nightly" install cargo-fuzz --locked || cargo "+$nightly" install cargo-fuzz
fi

export CARGO_TARGET_DIR="$root/fuzz/target"
build_flags=(--sanitizer none --debug-assertions --release)
(cd fuzz && nice -n 19 cargo "+$nightly" fuzz build "${build_flags[@]}")
[[ "$mode" == --build ]] && exit 0

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cd fuzz && cargo "+$nightly" fuzz list)
fi

case "$mode" in
    --smoke) limits=(-max_total_time="${FUZZ_SMOKE_SECONDS:-15}") ;;
    --long) limits=(-runs="${FUZZ_LONG_RUNS:-10000000}" -max_total_time="${FUZZ_LONG_SECONDS:-1800}") ;;
    *) echo "usage: $0 [--smoke|--long|--build] [target...]" >&2; exit 2 ;;
esac

results="$root/fuzz/target/fuzz-results.txt"
failed=()
for target in "${targets[@]}"; do
    corpus="$root/fuzz/target/corpus/$target"
    mkdir -p "$corpus" "$root/fuzz/artifacts/$target"
    log="$root/fuzz/target/fuzz-$target.log"
    echo "== $target ($mode)"
    start=$(date +%s)
    status=0
    (cd fuzz && nice -n 19 cargo "+$nightly" fuzz run "${build_flags[@]}" "$target" \
        "$corpus" "corpus/$target" -- "${limits[@]}" -max_len=8192 -timeout=30 \
        -rss_limit_mb=2048 -print_final_stats=1) >"$log" 2>&1 || status=$?
    seconds=$(( $(date +%s) - start ))
    execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log" | tail -1)
    rate=$(awk '/stat::average_exec_per_sec:/ {print $2}' "$log" | tail -1)
    corpus_size=$(find "$corpus" -type f | wc -l)
    line="$target executions=${execs:-?} seconds=$seconds exec_per_sec=${rate:-?} corpus=$corpus_size date=$(date -u +%FT%TZ) mode=${mode#--} status=$status"
    echo "$line"
    [[ "$mode" == --long ]] && echo "$line" >>"$results"
    if [[ $status -ne 0 ]]; then
        failed+=("$target")
        grep -E "panicked|ERROR|SUMMARY|Test unit written" "$log" | head -20 >&2 || true
    fi
done
# The demo target's temporary SQLite files.
rm -f "${TMPDIR:-/tmp}"/lucia-fuzz-demo-*.db*

if [[ ${#failed[@]} -ne 0 ]]; then
    echo "fuzz.sh: crashes in: ${failed[*]} (inputs in fuzz/artifacts/, logs in fuzz/target/fuzz-*.log)" >&2
    exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets, no crash"
