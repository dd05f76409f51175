#!/usr/bin/env bash
# The browser suite: a dapp in headless Chromium with a MetaMask-like injected wallet, against a
# fresh fevm (started by the driver itself). Run through `tests/clients/run.sh browser`, or alone
# from tests/clients with FEVM_BIN set. Evidence lands in tests/clients/out/browser/:
# wallet-methods.txt (the wallet's requests to the node, in order), wallet-log.json, methods.txt
# (what fevm logged), console.log and screenshot.png.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=chromium.sh
. "$here/chromium.sh"
CHROMIUM_BIN=$(find_chromium)
if [ -z "$CHROMIUM_BIN" ]; then
  echo "browser: no Chromium found; run tests/clients/browser/install.sh or set CHROMIUM_BIN" >&2
  exit 1
fi
export CHROMIUM_BIN
cd "$here/.."
node --test --test-reporter=spec "$here/wallet.test.mjs"
