#!/usr/bin/env bash
# Run the real-client suites against fresh fevm nodes:
#
#   tests/clients/run.sh            # every suite
#   tests/clients/run.sh ethers viem
#
# Installs what the suites need (npm packages from the lockfile, and each suite's own install.sh:
# Node 22 for Hardhat, a Python venv for web3.py, Chromium for the wallet flow), builds the fevm
# binary unless FEVM_BIN points at one, then runs each suite's test.sh. Every suite runs even if an
# earlier one failed; the script exits non-zero if any did. Output, logs, method logs and
# screenshots land in tests/clients/out/<suite>/.
set -euo pipefail
cd "$(dirname "$0")"
CLIENTS_DIR=$(pwd)
REPO_ROOT=$(cd ../.. && pwd)
export CLIENTS_DIR REPO_ROOT

ALL_SUITES=(ethers viem web3js web3py hardhat foundry browser)
if [ $# -gt 0 ]; then SUITES=("$@"); else SUITES=("${ALL_SUITES[@]}"); fi

if [ -z "${FEVM_BIN:-}" ]; then
  echo "==> building fevm"
  (cd "$REPO_ROOT" && cargo build --locked -p fevm --bin fevm)
  FEVM_BIN="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/debug/fevm"
fi
export FEVM_BIN
"$FEVM_BIN" --version

# npm ci is slow-ish and wipes node_modules, so only run it when the lockfile changed.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.lock-sha256 ] || [ "$(cat node_modules/.lock-sha256)" != "$lock_sum" ]; then
  echo "==> npm ci (tests/clients)"
  npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.lock-sha256
fi

mkdir -p out
failed=()
for suite in "${SUITES[@]}"; do
  if [ ! -f "$suite/test.sh" ]; then
    echo "unknown suite: $suite (have: ${ALL_SUITES[*]})" >&2
    failed+=("$suite")
    continue
  fi
  echo "==> client suite: $suite"
  rm -rf "out/$suite" "out/$suite"-*
  started=$(date +%s)
  if { [ ! -f "$suite/install.sh" ] || bash "$suite/install.sh"; } && bash "$suite/test.sh"; then
    echo "==> $suite passed ($(( $(date +%s) - started )) s)"
  else
    echo "==> $suite FAILED ($(( $(date +%s) - started )) s)" >&2
    failed+=("$suite")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "client suites failed: ${failed[*]}" >&2
  exit 1
fi
echo "==> all client suites passed: ${SUITES[*]}"
