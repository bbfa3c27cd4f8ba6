#!/usr/bin/env bash
# End-to-end tests of the demo (examples/demo) in headless Chromium, driven by playwright-core
# with node's built-in test runner (scripts/browser/*.test.mjs).
#
#   scripts/browser-test.sh                                 every scenario
#   scripts/browser-test.sh --test-name-pattern='two-factor'  some of them (node --test flags)
#   scripts/browser-test.sh demo.test.mjs                   one file (relative to scripts/browser)
#
# Installs Debian's chromium with apt-get when /usr/bin/chromium is missing (needs root then;
# never downloads a browser), refreshes scripts/browser/node_modules with `npm ci` unless it was
# installed from the current package-lock.json, builds the demo (cargo build -p lucia-demo, into
# ${CARGO_TARGET_DIR:-target}) and runs the tests with LUCIA_DEMO_BIN set to the binary.
# Arguments go to `node --test`. Screenshots of each scenario's final page land in
# target/browser-screenshots/. Exits non-zero when a test fails.
#
# Env: LUCIA_CHROMIUM (default /usr/bin/chromium; not installed when set), LUCIA_DEMO_BIN (skip
# the build and test this binary), LUCIA_DEMO_LOG=1 (show the demo's output),
# LUCIA_BROWSER_HEADED=1 (a visible window; needs a display), LUCIA_OIDC_ISSUER (the OpenID
# provider of scripts/services.sh, for the OAuth scenarios in oauth.test.mjs; they run the demo
# on 127.0.0.1:53090, and are skipped without it, or fail when LUCIA_REQUIRE_SERVICES=1),
# LUCIA_BROWSER_UPDATE_DOCS=1 (rewrite docs/demo.png, the README's screenshot).
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT/scripts/browser
CHROMIUM=${LUCIA_CHROMIUM:-/usr/bin/chromium}

log() { echo "browser-test: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

install_packages() {
  local pkgs=()
  [[ -x $CHROMIUM || -n ${LUCIA_CHROMIUM:-} ]] || pkgs+=(chromium)
  command -v node >/dev/null || pkgs+=(nodejs)
  command -v npm >/dev/null || pkgs+=(npm)
  ((${#pkgs[@]})) || return 0
  ((EUID == 0)) || die "${pkgs[*]} missing and not root: install them (apt-get install ${pkgs[*]})"
  log "installing ${pkgs[*]}"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends "${pkgs[@]}"; } >&2 || die "apt-get install failed"
}

npm_install() { # npm ci unless node_modules was installed from this very lock file
  local stamp=$SRC/node_modules/.lucia-package-lock.json logf
  cmp -s "$SRC/package-lock.json" "$stamp" && return 0
  log "npm ci in $SRC"
  logf=$(mktemp)
  (cd "$SRC" && npm ci --no-audit --no-fund) >"$logf" 2>&1 ||
    { tail -n 30 "$logf" >&2; rm -f "$logf"; die "npm ci in $SRC failed"; }
  rm -f "$logf"
  cp "$SRC/package-lock.json" "$stamp"
}

install_packages
[[ -x $CHROMIUM ]] || die "no Chromium at $CHROMIUM"
log "$("$CHROMIUM" --version 2>/dev/null || echo "chromium at $CHROMIUM")"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || die "Node.js 20 or later is needed, not $(node --version)"
npm_install

if [[ -z ${LUCIA_DEMO_BIN:-} ]]; then
  log "cargo build -p lucia-demo"
  (cd "$ROOT" && cargo build -p lucia-demo)
  target=${CARGO_TARGET_DIR:-target}
  [[ $target == /* ]] || target=$ROOT/$target
  export LUCIA_DEMO_BIN=$target/debug/lucia-demo
fi
[[ -x $LUCIA_DEMO_BIN ]] || die "no demo binary at $LUCIA_DEMO_BIN"
export LUCIA_CHROMIUM=$CHROMIUM

if [[ -n ${LUCIA_OIDC_ISSUER:-} ]]; then
  log "OAuth scenarios against the OpenID provider at $LUCIA_OIDC_ISSUER"
elif [[ ${LUCIA_REQUIRE_SERVICES:-} == 1 ]]; then
  log "LUCIA_OIDC_ISSUER is not set and LUCIA_REQUIRE_SERVICES=1: the OAuth scenarios will fail"
else
  log "WARNING: LUCIA_OIDC_ISSUER is not set: the OAuth scenarios will be SKIPPED (eval \"\$(scripts/services.sh up)\")"
fi

mkdir -p "$ROOT/target/browser-screenshots"
rm -f "$ROOT"/target/browser-screenshots/*.png
cd "$SRC"
log "node --test $*"
exec node --test --test-reporter=spec "$@"
