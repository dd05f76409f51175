#!/usr/bin/env bash
# web3.js v4 against a fresh fevm (see web3js.test.mjs). Run from tests/clients (run.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node lib/with-fevm.mjs web3js -- node --test --test-reporter=spec web3js/web3js.test.mjs
