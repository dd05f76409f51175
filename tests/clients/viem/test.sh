#!/usr/bin/env bash
# viem v2 against a fresh fevm (public client, local and json-rpc account wallets, HTTP with and
# without batching, filter polling, WebSocket subscriptions), then Filecoin's storage actors from
# Solidity (storage.test.mjs). Run from tests/clients (run.sh does); the method log lands in
# out/viem/methods.txt.
set -euo pipefail
cd "${CLIENTS_DIR:-$(dirname "$0")/..}"
exec node lib/with-fevm.mjs viem -- node --test --test-concurrency=1 viem/viem.test.mjs viem/storage.test.mjs
