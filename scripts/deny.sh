#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (configuration: deny.toml at the root):
#   licenses  every crate of the graph (all features, all targets, dev-dependencies included)
#             has a license from the allow-list;
#   bans      no wildcard version requirement; duplicate versions are listed as warnings;
#   sources   crates.io only, no git dependency.
#   advisories (RustSec) only when the advisory database can be fetched or is already on disk:
#             it is a git repository on github.com, which this CI machine cannot reach (only
#             package registries are reachable). Otherwise a loud SKIPPED line says so.
# Installs cargo-deny if missing (`cargo install cargo-deny --locked`, about 3-4 minutes on
# 2 shared cores; falls back to an unlocked install if the locked one fails to resolve).
# Also proves the license gate is live: a configuration that allows only Apache-2.0 must fail.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${CARGO_DENY_VERSION:-0.20.2}"
if ! command -v cargo-deny >/dev/null 2>&1; then
    echo "deny: installing cargo-deny $version" >&2
    cargo install cargo-deny --version "$version" --locked --quiet \
        || cargo install cargo-deny --version "$version" --quiet
fi
installed=$(cargo deny --version | awk '{print $2}')
[ "$installed" = "$version" ] || echo "deny: using cargo-deny $installed (deny.toml is written for $version)" >&2

echo "deny: licenses, bans, sources" >&2
cargo deny --locked --color never check --hide-inclusion-graph licenses bans sources

# The gate can fail: with only Apache-2.0 allowed, the MIT-only crates of the graph are rejected.
strict=$(mktemp)
trap 'rm -f "$strict"' EXIT
printf '[licenses]\nallow = ["Apache-2.0"]\nconfidence-threshold = 0.93\n' >"$strict"
if out=$(cargo deny --locked --color never --config "$strict" check licenses 2>&1); then
    echo "deny: a configuration allowing only Apache-2.0 passed the license check; the gate is not live" >&2
    exit 1
fi
grep -q "rejected: license is not explicitly allowed" <<<"$out" \
    || { echo "deny: the strict license check failed for another reason:" >&2; echo "$out" >&2; exit 1; }

advisory_dbs="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
if timeout 120 cargo deny fetch db >/dev/null 2>&1; then
    echo "deny: advisories (database fetched)" >&2
    cargo deny --locked --color never check advisories
elif compgen -G "$advisory_dbs/advisory-db-*/crates" >/dev/null; then
    echo "deny: advisories (database on disk, not refreshed: $advisory_dbs)" >&2
    cargo deny --locked --offline --color never check advisories
else
    echo "deny: SKIPPED advisories: the RustSec advisory database (github.com) cannot be fetched from this machine and no copy is in $advisory_dbs" >&2
fi
echo "deny: ok" >&2
