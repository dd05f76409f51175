#!/usr/bin/env bash
# The whole test suite, as the README documents it and CI runs it: formatting, lints, every
# Rust test (unit, integration, property and doc tests) of the workspace, then the real-client
# suites (ethers, viem, web3.js, web3.py, Hardhat 3, Foundry, a browser wallet in headless
# Chromium) against fresh fevm nodes; tests/clients/run.sh installs what they need. Fails loudly
# on the first error.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> cargo test"
cargo test --workspace --all-targets --locked
cargo test --workspace --doc --locked

echo "==> client suites"
# `cargo test` built the fevm binary (for fevm's end-to-end test) with the test run's features;
# hand it to the suites instead of building it again with another feature set (minutes on 2
# cores).
fevm_bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/fevm"
if [ -z "${FEVM_BIN:-}" ] && [ -x "$fevm_bin" ]; then
  export FEVM_BIN="$fevm_bin"
fi
bash tests/clients/run.sh

echo "==> all tests passed"
