#!/usr/bin/env bash
# The Foundry suite: `forge build` through the solcjs-backed solc stand-in (bin/solc, set in
# foundry.toml), then three sections of e2e.sh, each against a fresh fevm so that each tool's
# JSON-RPC methods land in their own out/foundry/<section>/methods.txt:
#   create - forge create (EIP-1559, --legacy with --value, --unlocked);
#   script - forge script --broadcast (--skip-simulation: see the comment in e2e.sh);
#   cast   - chain-id, balance, send --value, send --create, call, estimate, receipt, logs, reverts, ...
# Run from tests/clients (run.sh does), after `npm ci` there (forge, cast and solc come from
# tests/clients/node_modules).
set -euo pipefail
CLIENTS_DIR=${CLIENTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
export CLIENTS_DIR
here="$CLIENTS_DIR/foundry"
for tool in forge cast; do
  if [ ! -x "$CLIENTS_DIR/node_modules/.bin/$tool" ]; then
    echo "foundry/test.sh: $tool missing; run npm ci in tests/clients" >&2
    exit 1
  fi
done
# Keep forge's caches (~/.foundry, ~/.svm) out of the real home.
export HOME="$CLIENTS_DIR/.cache/home-foundry"
mkdir -p "$HOME"
# Never pick up a URL or key from the caller's environment.
unset ETH_RPC_URL ETH_FROM FOUNDRY_PROFILE

cd "$here"
echo "--- forge build ($("$CLIENTS_DIR/node_modules/.bin/forge" --version | head -n1); $(bin/solc --version | tail -n1))"
rm -rf broadcast
# --force: compile every run, so the solc stand-in is exercised even when artifacts exist.
"$CLIENTS_DIR/node_modules/.bin/forge" build --force

for section in create script cast; do
  node "$CLIENTS_DIR/lib/with-fevm.mjs" "foundry/$section" -- bash "$here/e2e.sh" "$section"
done
