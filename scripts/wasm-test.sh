#!/usr/bin/env bash
# Runs the core's WebAssembly tests (crates/lucia/tests/wasm.rs) in Node.js.
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
cargo test -p lucia --target wasm32-unknown-unknown --test wasm "$@"
cargo test -p lucia-wasm-edge --target wasm32-unknown-unknown --test node "$@"
