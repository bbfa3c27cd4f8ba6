#!/usr/bin/env bash
# Runs the core's WebAssembly tests in Node.js: its unit tests (crates/lucia/src/**, all
# features), crates/lucia/tests/wasm.rs and the examples/wasm-edge node test.
# Installs what it needs if missing: the wasm32-unknown-unknown target and wasm-bindgen-cli at
# the exact version of the wasm-bindgen crate in Cargo.lock (cached in ~/.cargo/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown

version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$version" ]; then
    echo "wasm-test: no wasm-bindgen in Cargo.lock" >&2
    exit 1
fi
if ! command -v wasm-bindgen-test-runner >/dev/null 2>&1 \
    || [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
    echo "wasm-test: installing wasm-bindgen-cli $version" >&2
    cargo install wasm-bindgen-cli --version "$version" --quiet
fi
command -v node >/dev/null 2>&1 || { echo "wasm-test: Node.js is required" >&2; exit 1; }

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
# The unit tests; without a filter, a run that finds none (0 passed) counts as a failure.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test -p lucia --target wasm32-unknown-unknown --all-features --lib "$@" 2>&1 | tee "$log"
passed=$(sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' "$log" | tail -n 1)
echo "wasm-test: ${passed:-0} core unit tests passed on wasm32-unknown-unknown" >&2
[ $# -gt 0 ] || [ "${passed:-0}" -gt 0 ] || { echo "wasm-test: no core unit test ran" >&2; exit 1; }
cargo test -p lucia --target wasm32-unknown-unknown --test wasm "$@"
cargo test -p lucia-wasm-edge --target wasm32-unknown-unknown --test node "$@"
