#!/usr/bin/env bash
# The whole test suite, as the README documents it and CI runs it: formatting, lints, and every
# Rust test (unit, integration, property and doc tests) of the workspace. Client suites join here
# as they are added. Fails loudly on the first error.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> cargo test"
cargo test --workspace --all-targets --locked
cargo test --workspace --doc --locked

echo "==> all tests passed"
