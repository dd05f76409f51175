// Hardhat 3 against a running fevm. Two networks share one node URL ($FEVM_URL, set by
// tests/clients/lib/with-fevm.mjs):
//   fevmLocal  - Hardhat signs locally with the dev private keys (eth_sendRawTransaction);
//   fevmRemote - `accounts: "remote"`: the node's own accounts (eth_accounts, eth_sendTransaction).
import { createRequire } from "node:module";

import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import { configVariable, defineConfig } from "hardhat/config";

// No compiler downloads offline: a non-binary `path` makes Hardhat import() it as a soljson (WASM)
// build, so point it at the npm solc package's soljson.js (the same 0.8.37 that tests/clients uses).
const soljson = createRequire(import.meta.url).resolve("solc/soljson.js");

// The first dev accounts of the default mnemonic ("test test ... junk"), the keys fevm funds at genesis.
// Public test keys, the same ones Hardhat and anvil use.
const DEV_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
];

export default defineConfig({
  plugins: [hardhatEthers, hardhatViem, hardhatNodeTestRunner],
  solidity: {
    version: "0.8.37",
    path: soljson,
    settings: {
      // solc 0.8.37 defaults to osaka; FEVM runs cancun bytecode.
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
    },
  },
  networks: {
    fevmLocal: {
      type: "http",
      chainType: "l1",
      chainId: 31415926,
      url: configVariable("FEVM_URL"),
      accounts: DEV_KEYS,
    },
    fevmRemote: {
      type: "http",
      chainType: "l1",
      chainId: 31415926,
      url: configVariable("FEVM_URL"),
      accounts: "remote",
    },
  },
});
