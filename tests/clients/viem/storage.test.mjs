// Filecoin's storage actors from Solidity, driven with viem against fevm: the StorageClient and
// MinerClient fixtures reach datacap, power, the market and storage miners through the
// filecoin-solidity-api library exactly as deployed FEVM contracts do, and return each actor
// call's exit code first, so a refusal is visible. The node runs with its default genesis
// storage provider, miner f01000.
//
// Run through test.sh (FEVM_URL in the env), or directly with
// `node --test viem/storage.test.mjs`, which starts its own node.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { bytesToBigInt, createPublicClient, createWalletClient, defineChain, http, parseEther, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { CHAIN_ID, DEV_KEYS, repoRoot, startFevm } from "../lib/fevm.mjs";

const TEST_TIMEOUT = 30_000;
const GENESIS_MINER = 1000n;
// A BLS public key (the G1 generator, compressed) as an f3 address: a miner's worker must be a
// BLS account, and funding the address creates one. Nothing here signs with it.
const BLS_WORKER = "0x03" + "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";

function artifact(name) {
  const file = path.join(repoRoot, "solidity-fixtures", "artifacts", `${name}.json`);
  const { abi, bytecode } = JSON.parse(readFileSync(file, "utf8"));
  const object = bytecode.object.startsWith("0x") ? bytecode.object : `0x${bytecode.object}`;
  return { abi, bytecode: object };
}
const STORAGE_CLIENT = artifact("StorageClient");
const MINER_CLIENT = artifact("MinerClient");

/** An ID address's bytes (protocol 0, LEB128 id) → the id. */
function idOf(bytes) {
  const raw = typeof bytes === "string" ? Buffer.from(bytes.slice(2), "hex") : Buffer.from(bytes);
  assert.equal(raw[0], 0, `an ID address: ${toHex(raw)}`);
  let id = 0n;
  let shift = 0n;
  for (const byte of raw.subarray(1)) {
    id |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if ((byte & 0x80) === 0) break;
  }
  return id;
}

/** filecoin-solidity-api's big-integer bytes → bigint (empty is zero). */
const big = (hex) => (hex === "0x" ? 0n : bytesToBigInt(Buffer.from(hex.slice(2), "hex")));

let node = null;
let publicClient;
let wallet;

before(async () => {
  let url = process.env.FEVM_URL;
  if (!url) {
    node = await startFevm({ name: "viem-storage" });
    ({ url } = node);
  }
  const chain = defineChain({
    id: CHAIN_ID,
    name: "fevm devnet",
    nativeCurrency: { name: "Filecoin", symbol: "FIL", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  publicClient = createPublicClient({ chain, transport: http(), pollingInterval: 100, cacheTime: 0 });
  const account = privateKeyToAccount(DEV_KEYS[2]);
  wallet = createWalletClient({ account, chain, transport: http(), pollingInterval: 100, cacheTime: 0 });
});

after(async () => {
  await node?.stop();
});

async function deploy(art) {
  const hash = await wallet.deployContract({ abi: art.abi, bytecode: art.bytecode });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  return receipt.contractAddress;
}

/** Simulates a write (its return values are what the chain will do), sends it, waits. */
async function write(art, address, functionName, args = [], value = 0n) {
  const { result, request } = await publicClient.simulateContract({
    account: wallet.account,
    address,
    abi: art.abi,
    functionName,
    args,
    value,
  });
  const hash = await wallet.writeContract(request);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success", `${functionName} mined`);
  return result;
}

const read = (art, address, functionName, args = []) =>
  publicClient.readContract({ address, abi: art.abi, functionName, args });

describe("storage actors from Solidity (viem)", { concurrency: 1 }, () => {
  let storage;
  before(async () => {
    storage = await deploy(STORAGE_CLIENT);
  });

  test("datacap's token metadata and power's view of the genesis provider", { timeout: TEST_TIMEOUT }, async () => {
    assert.deepEqual(await read(STORAGE_CLIENT, storage, "datacapNameAndSymbol"), [0n, "DataCap", 0n, "DCAP"]);
    // One miner (f01000, created at genesis); it has no sectors yet, so no consensus power.
    const [countCode, miners, consensusCode, consensus] = await read(STORAGE_CLIENT, storage, "minerCounts");
    assert.deepEqual([countCode, miners, consensusCode, consensus], [0n, 1n, 0n, 0n]);
    const [rawCode, raw, meetsMinimum] = await read(STORAGE_CLIENT, storage, "minerRawPower", [GENESIS_MINER]);
    assert.deepEqual([rawCode, big(raw), meetsMinimum], [0n, 0n, false]);
    // An actor that is not a miner: power refuses with USR_ILLEGAL_ARGUMENT (16).
    const [notMiner] = await read(STORAGE_CLIENT, storage, "minerRawPower", [1n]);
    assert.equal(notMiner, 16n);
  });

  test("a contract funds, reads and withdraws its market escrow", { timeout: TEST_TIMEOUT }, async () => {
    assert.equal(await write(STORAGE_CLIENT, storage, "marketAddBalance", [], parseEther("1")), 0n);
    const [code, escrow, locked] = await read(STORAGE_CLIENT, storage, "marketBalance");
    assert.deepEqual([code, big(escrow), big(locked)], [0n, parseEther("1"), 0n]);

    const amount = toHex(parseEther("0.4"));
    const [withdrawCode, withdrawn] = await write(STORAGE_CLIENT, storage, "marketWithdraw", [amount]);
    assert.deepEqual([withdrawCode, big(withdrawn)], [0n, parseEther("0.4")]);
    const [, left] = await read(STORAGE_CLIENT, storage, "marketBalance");
    assert.equal(big(left), parseEther("0.6"));
    assert.equal(await publicClient.getBalance({ address: storage }), parseEther("0.4"));

    // A deal that was never published: USR_NOT_FOUND (17), handed to the contract.
    const [activation] = await read(STORAGE_CLIENT, storage, "dealActivation", [999_999n]);
    assert.equal(activation, 17n);
  });

  test("a contract reads the genesis provider through MinerAPI", { timeout: TEST_TIMEOUT }, async () => {
    const miner = await deploy(MINER_CLIENT);
    assert.deepEqual(await read(MINER_CLIENT, miner, "sectorSize", [GENESIS_MINER]), [0n, 2048n]);
    const [code, owner, proposed] = await read(MINER_CLIENT, miner, "owner", [GENESIS_MINER]);
    assert.equal(code, 0n);
    assert.ok(idOf(owner) > 0n && idOf(owner) < GENESIS_MINER, `the owner is a genesis key: ${owner}`);
    assert.equal(proposed, "0x", "no owner change proposed");
    const [controlCode, controls] = await read(MINER_CLIENT, miner, "isControlling", [GENESIS_MINER, owner]);
    assert.deepEqual([controlCode, controls], [0n, true]);
  });

  test("a contract creates a miner it owns, withdraws from it and changes its peer id", { timeout: TEST_TIMEOUT }, async () => {
    const client = await deploy(MINER_CLIENT);
    // The worker must be a BLS account: the contract creates it by sending it FIL.
    assert.equal(await write(MINER_CLIENT, client, "fund", [BLS_WORKER], parseEther("1")), 0n);
    const [createCode, created] = await write(MINER_CLIENT, client, "createMiner", [BLS_WORKER], parseEther("100"));
    assert.equal(createCode, 0n);
    const minerId = idOf(created);
    assert.ok(minerId > GENESIS_MINER, `a new miner after the genesis one: f0${minerId}`);

    assert.deepEqual(await read(MINER_CLIENT, client, "sectorSize", [minerId]), [0n, 2048n]);
    const [, owner] = await read(MINER_CLIENT, client, "owner", [minerId]);
    const [, controls] = await read(MINER_CLIENT, client, "isControlling", [minerId, owner]);
    assert.equal(controls, true, "the contract (owner) controls its miner");

    // Everything but the locked create-miner deposit is available and comes back to the contract.
    const [availableCode, available] = await read(MINER_CLIENT, client, "availableBalance", [minerId]);
    assert.equal(availableCode, 0n);
    const atto = big(available);
    assert.ok(atto > 0n && atto < parseEther("100"), `available ${atto}`);
    const before = await publicClient.getBalance({ address: client });
    const [withdrawCode] = await write(MINER_CLIENT, client, "withdraw", [minerId, available]);
    assert.equal(withdrawCode, 0n);
    assert.equal((await publicClient.getBalance({ address: client })) - before, atto);

    assert.equal(await write(MINER_CLIENT, client, "changePeerId", [minerId, "0x070707"]), 0n);
    assert.deepEqual(await read(MINER_CLIENT, client, "peerId", [minerId]), [0n, "0x070707"]);
  });
});
