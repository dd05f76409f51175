#!/usr/bin/env bash
# ethers v6 against a fresh fevm (HTTP with and without JSON-RPC batching, WebSocket, node-side
# signing). Run from tests/clients (run.sh does); the method log lands in out/ethers/methods.txt.
set -euo pipefail
cd "${CLIENTS_DIR:-$(dirname "$0")/..}"
exec node lib/with-fevm.mjs ethers -- node --test --test-concurrency=1 ethers/ethers.test.mjs
