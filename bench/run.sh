#!/usr/bin/env bash
# fevm vs anvil, side by side: installs the pinned anvil (npm ci, only when the lockfile
# changed), builds fevm and the harness in release mode, and runs every workload.
#
#   bench/run.sh            full run (5 alternating rounds per workload, ~12 minutes)
#   bench/run.sh --quick    smoke run (one short round per workload, ~20 s)
#
# Any other flag goes to the harness (`bench/run.sh --help` lists them), e.g.
#   bench/run.sh --only call,transfers --rounds 3
# Results: the table on stdout, bench/results/<timestamp>.{md,json}, node logs in
# bench/results/logs/.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$bench_dir")"
cd "$repo"

# anvil from npm (@foundry-rs/anvil-linux-amd64, exact version in package-lock.json).
stamp="$bench_dir/node_modules/.npm-ci-stamp"
lock_hash="$(sha256sum "$bench_dir/package-lock.json" | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
    echo "bench: npm ci (anvil)" >&2
    (cd "$bench_dir" && npm ci --no-audit --no-fund)
    echo "$lock_hash" > "$stamp"
fi
anvil="$bench_dir/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"

echo "bench: cargo build --release" >&2
cargo build --release --locked -p fevm -p bench --bin fevm --bin fevm-bench

target_dir="${CARGO_TARGET_DIR:-$repo/target}"
exec "$target_dir/release/fevm-bench" \
    --fevm "$target_dir/release/fevm" \
    --anvil "$anvil" \
    --out "$bench_dir/results" \
    "$@"
