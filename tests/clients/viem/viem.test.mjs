// viem v2 against fevm: public, local-account and json-rpc-account wallet clients over HTTP
// (batched and not) and WebSocket. Every test checks what the chain did (balances, storage,
// decoded events, revert reasons), not just that viem did not throw.
//
// Run through test.sh (a fresh fevm from lib/with-fevm.mjs, FEVM_URL/FEVM_WS_URL in the env), or
// directly with `node --test viem/viem.test.mjs`, which starts its own node.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  defineChain,
  getAddress,
  getContract,
  http,
  parseEther,
  parseEventLogs,
  parseUnits,
  verifyMessage,
  verifyTypedData,
  webSocket,
  zeroAddress,
} from "viem";
import { generatePrivateKey, nonceManager, privateKeyToAccount } from "viem/accounts";
import { CHAIN_ID, DEV_ADDRESSES as FIRST_ADDRESSES, DEV_KEYS, repoRoot, startFevm } from "../lib/fevm.mjs";

const TEST_TIMEOUT = 30_000;
// Account 5 of the default mnemonic; the json-rpc wallet below signs as it through the node.
const DEV_ADDRESSES = [...FIRST_ADDRESSES, "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"];

function artifact(name) {
  const file = path.join(repoRoot, "solidity-fixtures", "artifacts", `${name}.json`);
  const { abi, bytecode, deployedBytecode } = JSON.parse(readFileSync(file, "utf8"));
  const hex = (s) => (s.startsWith("0x") ? s : `0x${s}`);
  return { abi, bytecode: hex(bytecode.object), runtime: hex(deployedBytecode.object) };
}
const TOKEN = artifact("Token");
const COUNTER = artifact("Counter");
const REVERTER = artifact("Reverter");

const freshAddress = () => privateKeyToAccount(generatePrivateKey()).address;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Wait for `promise`, failing with `what` after `ms`. */
function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The first error in viem's cause chain that is a ContractFunctionRevertedError. */
function revertedError(error) {
  assert.ok(error instanceof BaseError, `expected a viem error, got ${error}`);
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  assert.ok(reverted instanceof ContractFunctionRevertedError, `no ContractFunctionRevertedError in: ${error.message}`);
  return reverted;
}

/**
 * An HTTP transport that records the JSON-RPC bodies it posts, so a test can tell which methods
 * went out and whether they went out batched.
 */
function recordingHttp(url, options = {}) {
  const bodies = [];
  const transport = http(url, {
    ...options,
    async onFetchRequest(request) {
      bodies.push(await request.clone().json());
    },
  });
  const methods = () => bodies.flatMap((b) => (Array.isArray(b) ? b : [b])).map((r) => r.method);
  return { transport, bodies, methods };
}

let node = null; // only when the suite starts its own fevm
let chain;
let publicClient;
/** Signs locally with dev key 0 (eth_sendRawTransaction). */
let wallet;
let account;
/** Lets the node sign as dev account 5 (eth_sendTransaction). */
let nodeWallet;
let token;
let tokenDeployBlock;
let counter;
let reverter;

before(async () => {
  let url = process.env.FEVM_URL;
  let wsUrl = process.env.FEVM_WS_URL;
  if (!url) {
    node = await startFevm({ name: "viem-dev" });
    ({ url, wsUrl } = node);
  }
  chain = defineChain({
    id: CHAIN_ID,
    name: "fevm devnet",
    nativeCurrency: { name: "Filecoin", symbol: "FIL", decimals: 18 },
    rpcUrls: { default: { http: [url], webSocket: [wsUrl] } },
  });
  publicClient = createPublicClient({ chain, transport: http(), pollingInterval: 100, cacheTime: 0 });
  account = privateKeyToAccount(DEV_KEYS[0]);
  wallet = createWalletClient({ account, chain, transport: http(), pollingInterval: 100, cacheTime: 0 });
  nodeWallet = createWalletClient({ account: DEV_ADDRESSES[5], chain, transport: http(), pollingInterval: 100 });
});

after(async () => {
  await node?.stop();
});

/** Deploys `art` from the local account and returns the address and receipt. */
async function deploy(art, args = [], client = wallet) {
  const hash = await client.deployContract({ abi: art.abi, bytecode: art.bytecode, args });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  assert.ok(receipt.contractAddress, "deployment receipt has a contractAddress");
  return { address: getAddress(receipt.contractAddress), receipt };
}

describe("viem v2", { concurrency: 1 }, () => {
  test("chain: id, block number, dev balances", { timeout: TEST_TIMEOUT }, async () => {
    assert.equal(await publicClient.getChainId(), CHAIN_ID);
    assert.equal(await wallet.getChainId(), CHAIN_ID);
    assert.ok((await publicClient.getBlockNumber()) >= 0n);
    for (const address of DEV_ADDRESSES) {
      assert.ok((await publicClient.getBalance({ address })) > 0n, `${address} is funded`);
    }
    const block = await publicClient.getBlock({ blockTag: "latest" });
    assert.ok(block.baseFeePerGas > 0n);
    assert.equal(block.gasLimit, 10_000_000_000n);
  });

  test("fees and estimateGas", { timeout: TEST_TIMEOUT }, async () => {
    const gasPrice = await publicClient.getGasPrice();
    assert.ok(gasPrice > 0n);
    const fees = await publicClient.estimateFeesPerGas();
    assert.ok(fees.maxFeePerGas > 0n && fees.maxPriorityFeePerGas > 0n);
    assert.ok(fees.maxFeePerGas >= fees.maxPriorityFeePerGas);
    assert.ok((await publicClient.estimateMaxPriorityFeePerGas()) > 0n);

    const gas = await publicClient.estimateGas({ account, to: freshAddress(), value: 1n });
    assert.ok(gas > 0n && gas <= 10_000_000_000n, `transfer gas ${gas}`);

    const history = await publicClient.getFeeHistory({ blockCount: 1, rewardPercentiles: [50] });
    assert.equal(history.baseFeePerGas.length, 2);
    assert.ok(history.baseFeePerGas.every((fee) => fee > 0n));
  });

  test("sendTransaction value transfer from a local account", { timeout: TEST_TIMEOUT }, async () => {
    const to = freshAddress();
    const value = parseEther("2.5");
    const senderBefore = await publicClient.getBalance({ address: account.address });
    assert.equal(await publicClient.getBalance({ address: to }), 0n);

    // viem first asks the node to fill the transaction (eth_fillTransaction); fevm answers
    // "method not found" (-32601) and viem falls back to estimating gas and fees itself.
    const rec = recordingHttp(chain.rpcUrls.default.http[0]);
    const recWallet = createWalletClient({ account, chain, transport: rec.transport, pollingInterval: 100 });
    const hash = await recWallet.sendTransaction({ to, value });
    const sent = rec.methods();
    assert.ok(sent.includes("eth_fillTransaction"), `methods: ${sent}`);
    assert.ok(sent.indexOf("eth_estimateGas") > sent.indexOf("eth_fillTransaction"), `methods: ${sent}`);
    assert.equal(sent.at(-1), "eth_sendRawTransaction");
    await assert.rejects(publicClient.request({ method: "eth_fillTransaction", params: [{ from: account.address, to, value: "0x1" }] }), (error) => {
      assert.equal(error.code, -32601);
      return true;
    });

    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal(receipt.transactionHash, hash);
    assert.equal(getAddress(receipt.from), account.address);
    assert.equal(getAddress(receipt.to), to);
    assert.equal(receipt.type, "eip1559");

    const tx = await publicClient.getTransaction({ hash });
    assert.equal(tx.value, value);
    assert.equal(tx.chainId, CHAIN_ID);
    assert.equal(tx.blockNumber, receipt.blockNumber);
    assert.ok(receipt.gasUsed > 0n && receipt.gasUsed <= tx.gas, `gasUsed ${receipt.gasUsed} of ${tx.gas}`);

    assert.equal(await publicClient.getBalance({ address: to }), value);
    const fees = senderBefore - (await publicClient.getBalance({ address: account.address })) - value;
    // Filecoin's settlement (base fee on gas used, over-estimation burn, tip on the limit) is not
    // gasUsed * effectiveGasPrice; bound it by what was used and what was reserved.
    const { baseFeePerGas } = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
    assert.ok(fees >= receipt.gasUsed * baseFeePerGas, `fees ${fees}`);
    assert.ok(fees <= tx.gas * tx.maxFeePerGas, `fees ${fees} above the reservation`);

    const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber, includeTransactions: true });
    assert.ok(block.transactions.some((t) => t.hash === hash));
  });

  test("deployContract with constructor args, readContract, getCode", { timeout: TEST_TIMEOUT }, async () => {
    const supply = parseUnits("500000", 18);
    const { address, receipt } = await deploy(TOKEN, [supply]);
    token = address;
    tokenDeployBlock = receipt.blockNumber;
    assert.ok(receipt.gasUsed > 0n);

    assert.equal(await publicClient.getCode({ address }), TOKEN.runtime);
    const read = (functionName, args = []) => publicClient.readContract({ address, abi: TOKEN.abi, functionName, args });
    assert.equal(await read("name"), "Fixture Token");
    assert.equal(await read("symbol"), "FIX");
    assert.equal(await read("decimals"), 18);
    assert.equal(await read("totalSupply"), supply);
    assert.equal(await read("balanceOf", [account.address]), supply);

    // The constructor's mint, decoded from the receipt.
    const [mint] = parseEventLogs({ abi: TOKEN.abi, logs: receipt.logs, eventName: "Transfer" });
    assert.deepEqual(mint.args, { from: zeroAddress, to: account.address, value: supply });
  });

  test("simulateContract then writeContract; receipt events decode", { timeout: TEST_TIMEOUT }, async () => {
    const to = DEV_ADDRESSES[1];
    const amount = parseUnits("1234", 18);
    const before = await publicClient.readContract({ address: token, abi: TOKEN.abi, functionName: "balanceOf", args: [account.address] });

    const { result, request } = await publicClient.simulateContract({
      account,
      address: token,
      abi: TOKEN.abi,
      functionName: "transfer",
      args: [to, amount],
    });
    assert.equal(result, true);
    const hash = await wallet.writeContract(request);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal(receipt.logs.length, 1);
    const decoded = decodeEventLog({ abi: TOKEN.abi, data: receipt.logs[0].data, topics: receipt.logs[0].topics });
    assert.equal(decoded.eventName, "Transfer");
    assert.deepEqual(decoded.args, { from: account.address, to, value: amount });
    assert.equal(getAddress(receipt.logs[0].address), token);

    const balanceOf = (a) => publicClient.readContract({ address: token, abi: TOKEN.abi, functionName: "balanceOf", args: [a] });
    assert.equal(await balanceOf(account.address), before - amount);
    assert.equal(await balanceOf(to), amount);

    // estimateContractGas agrees with a mined transfer's order of magnitude (Filecoin gas).
    const gas = await publicClient.estimateContractGas({ account, address: token, abi: TOKEN.abi, functionName: "transfer", args: [to, 1n] });
    assert.ok(gas > 0n && gas >= receipt.gasUsed / 2n && gas <= 10_000_000_000n, `estimate ${gas}, used ${receipt.gasUsed}`);

    // A second transfer, through a getContract instance.
    const contract = getContract({ address: token, abi: TOKEN.abi, client: { public: publicClient, wallet } });
    const hash2 = await contract.write.transfer([DEV_ADDRESSES[2], 5n]);
    assert.equal((await publicClient.waitForTransactionReceipt({ hash: hash2 })).status, "success");
    assert.equal(await contract.read.balanceOf([DEV_ADDRESSES[2]]), 5n);
  });

  test("getContractEvents and getLogs decode indexed and data args", { timeout: TEST_TIMEOUT }, async () => {
    const all = await publicClient.getContractEvents({ address: token, abi: TOKEN.abi, eventName: "Transfer", fromBlock: tokenDeployBlock });
    assert.deepEqual(
      all.map((l) => [l.args.from, l.args.to]),
      [
        [zeroAddress, account.address],
        [account.address, DEV_ADDRESSES[1]],
        [account.address, DEV_ADDRESSES[2]],
      ],
    );
    assert.equal(all[1].args.value, parseUnits("1234", 18));
    assert.equal(all[2].args.value, 5n);
    assert.ok(all.every((l) => l.eventName === "Transfer" && typeof l.transactionHash === "string"));

    const toTwo = await publicClient.getContractEvents({
      address: token,
      abi: TOKEN.abi,
      eventName: "Transfer",
      args: { to: DEV_ADDRESSES[2] },
      fromBlock: tokenDeployBlock,
      toBlock: "latest",
    });
    assert.equal(toTwo.length, 1);
    assert.equal(toTwo[0].args.value, 5n);

    const transferEvent = TOKEN.abi.find((x) => x.type === "event" && x.name === "Transfer");
    const logs = await publicClient.getLogs({ address: token, event: transferEvent, args: { from: zeroAddress }, fromBlock: tokenDeployBlock });
    assert.equal(logs.length, 1);
    assert.equal(logs[0].args.value, parseUnits("500000", 18));
    assert.deepEqual(await publicClient.getLogs({ address: token, fromBlock: 0n, toBlock: tokenDeployBlock - 1n }), []);
  });

  test("simulateContract, readContract and estimateContractGas surface reverts as ContractFunctionRevertedError", { timeout: TEST_TIMEOUT }, async () => {
    ({ address: reverter } = await deploy(REVERTER));
    const base = { account, address: reverter, abi: REVERTER.abi };

    await assert.rejects(publicClient.simulateContract({ ...base, functionName: "revertWithMessage", args: ["viem says no"] }), (error) => {
      const reverted = revertedError(error);
      assert.equal(reverted.reason, "viem says no");
      assert.equal(reverted.data.errorName, "Error");
      assert.match(error.message, /viem says no/);
      return true;
    });
    await assert.rejects(publicClient.simulateContract({ ...base, functionName: "setThenRevert", args: [3n] }), (error) => {
      assert.equal(revertedError(error).reason, "Reverter: rolled back");
      return true;
    });
    await assert.rejects(publicClient.readContract({ ...base, functionName: "requireWithMessage", args: [false] }), (error) => {
      assert.equal(revertedError(error).reason, "Reverter: require failed");
      return true;
    });
    await assert.rejects(publicClient.estimateContractGas({ ...base, functionName: "setThenRevert", args: [3n] }), (error) => {
      assert.equal(revertedError(error).reason, "Reverter: rolled back");
      return true;
    });
    // A custom error decodes with its arguments (msg.sender is the simulating account).
    await assert.rejects(publicClient.simulateContract({ ...base, functionName: "revertWithCustomError", args: [7n] }), (error) => {
      const reverted = revertedError(error);
      assert.equal(reverted.data.errorName, "CustomError");
      assert.deepEqual(reverted.data.args, [7n, account.address, "custom"]);
      return true;
    });
    // Panic(0x12)
    await assert.rejects(publicClient.simulateContract({ ...base, functionName: "panicDivisionByZero", args: [0n] }), (error) => {
      const reverted = revertedError(error);
      assert.equal(reverted.data.errorName, "Panic");
      assert.deepEqual(reverted.data.args, [0x12n]);
      assert.match(reverted.reason, /division or modulo by zero/i);
      return true;
    });
    // A successful simulation returns the value.
    const { result } = await publicClient.simulateContract({ ...base, functionName: "panicDivisionByZero", args: [5n] });
    assert.equal(result, 20n);

    // writeContract of a reverting call fails before anything is sent, with the reason.
    await assert.rejects(wallet.writeContract({ ...base, functionName: "setThenRevert", args: [3n] }), (error) => {
      assert.ok(error instanceof BaseError);
      assert.match(error.message, /Reverter: rolled back/);
      return true;
    });

    // Forced on chain with an explicit gas limit: a reverted receipt, storage rolled back.
    const set = await wallet.writeContract({ ...base, functionName: "set", args: [11n] });
    await publicClient.waitForTransactionReceipt({ hash: set });
    const hash = await wallet.writeContract({ ...base, functionName: "setThenRevert", args: [99n], gas: 50_000_000n });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "reverted");
    assert.ok(receipt.gasUsed > 0n);
    assert.equal(await publicClient.readContract({ ...base, functionName: "value" }), 11n);
  });

  test("watchContractEvent over HTTP polls an eth_newFilter and delivers decoded logs", { timeout: TEST_TIMEOUT }, async () => {
    ({ address: counter } = await deploy(COUNTER));
    const rec = recordingHttp(chain.rpcUrls.default.http[0]);
    const watcher = createPublicClient({ chain, transport: rec.transport, pollingInterval: 100 });

    const received = [];
    let gotTwo;
    const done = new Promise((resolve) => (gotTwo = resolve));
    const errors = [];
    const unwatch = watcher.watchContractEvent({
      address: counter,
      abi: COUNTER.abi,
      eventName: "CountChanged",
      onLogs: (logs) => {
        received.push(...logs);
        if (received.length >= 2) gotTwo();
      },
      onError: (e) => errors.push(e),
    });
    try {
      // The filter exists once the first eth_getFilterChanges went out.
      await within(5_000, "eth_getFilterChanges", (async () => {
        while (!rec.methods().includes("eth_getFilterChanges")) await sleep(20);
      })());

      const write = async (functionName, args) => {
        const hash = await wallet.writeContract({ address: counter, abi: COUNTER.abi, functionName, args });
        return publicClient.waitForTransactionReceipt({ hash });
      };
      const r1 = await write("increment", []);
      const r2 = await write("add", [9n]);
      await within(10_000, "two CountChanged logs", done);

      assert.deepEqual(errors, []);
      assert.deepEqual(received.map((l) => l.args), [
        { by: account.address, oldValue: 0n, newValue: 1n },
        { by: account.address, oldValue: 1n, newValue: 10n },
      ]);
      assert.deepEqual(received.map((l) => l.transactionHash), [r1.transactionHash, r2.transactionHash]);
      assert.ok(received.every((l) => l.eventName === "CountChanged"));
      const methods = rec.methods();
      assert.ok(methods.includes("eth_newFilter"), `methods: ${[...new Set(methods)]}`);
      assert.ok(!methods.includes("eth_getLogs"), "the watcher fell back to eth_getLogs");
    } finally {
      unwatch();
    }
    await sleep(200);
    assert.ok(rec.methods().includes("eth_uninstallFilter"));
  });

  test("watchBlockNumber and watchContractEvent over a WebSocket transport", { timeout: TEST_TIMEOUT }, async () => {
    const wsClient = createPublicClient({ chain, transport: webSocket() });
    try {
      assert.equal(await wsClient.getChainId(), CHAIN_ID);
      const start = await wsClient.getBlockNumber();

      let blockResolve;
      const blockSeen = new Promise((r) => (blockResolve = r));
      const unwatchBlocks = wsClient.watchBlockNumber({ onBlockNumber: (n) => n > start && blockResolve(n) });
      let eventResolve;
      const eventSeen = new Promise((r) => (eventResolve = r));
      const unwatchEvents = wsClient.watchContractEvent({
        address: counter,
        abi: COUNTER.abi,
        eventName: "CountChanged",
        onLogs: (logs) => eventResolve(logs),
      });
      // Give both eth_subscribe calls time to be answered before the transaction goes out.
      await sleep(300);
      await wsClient.getChainId();

      const before = await publicClient.readContract({ address: counter, abi: COUNTER.abi, functionName: "get" });
      const hash = await wallet.writeContract({ address: counter, abi: COUNTER.abi, functionName: "set", args: [before + 7n] });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });

      const n = await within(10_000, "a block over WebSocket", blockSeen);
      assert.ok(n > start && n <= receipt.blockNumber);
      const logs = await within(10_000, "CountChanged over WebSocket", eventSeen);
      assert.equal(logs.length, 1);
      assert.deepEqual(logs[0].args, { by: account.address, oldValue: before, newValue: before + 7n });
      assert.equal(logs[0].transactionHash, hash);
      assert.equal(await wsClient.readContract({ address: counter, abi: COUNTER.abi, functionName: "get" }), before + 7n);

      unwatchBlocks();
      unwatchEvents();
      await sleep(200); // let the eth_unsubscribe calls go out before closing
    } finally {
      const rpc = await wsClient.transport.getRpcClient();
      rpc.close();
    }
  });

  test("json-rpc account (node signs): getAddresses, sendTransaction, writeContract, signatures", { timeout: TEST_TIMEOUT }, async () => {
    const addresses = await nodeWallet.getAddresses();
    assert.deepEqual(addresses.slice(0, DEV_ADDRESSES.length).map((a) => getAddress(a)), DEV_ADDRESSES);
    assert.equal(nodeWallet.account.type, "json-rpc");

    const to = freshAddress();
    const value = parseEther("0.75");
    const hash = await nodeWallet.sendTransaction({ to, value });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal(getAddress(receipt.from), DEV_ADDRESSES[5]);
    assert.equal(await publicClient.getBalance({ address: to }), value);

    const before = await publicClient.readContract({ address: counter, abi: COUNTER.abi, functionName: "get" });
    const { request, result } = await publicClient.simulateContract({
      account: nodeWallet.account,
      address: counter,
      abi: COUNTER.abi,
      functionName: "add",
      args: [100n],
    });
    assert.equal(result, before + 100n);
    const h2 = await nodeWallet.writeContract(request);
    const r2 = await publicClient.waitForTransactionReceipt({ hash: h2 });
    assert.equal(r2.status, "success");
    const [event] = parseEventLogs({ abi: COUNTER.abi, logs: r2.logs });
    assert.deepEqual(event.args, { by: DEV_ADDRESSES[5], oldValue: before, newValue: before + 100n });
    assert.equal(await publicClient.readContract({ address: counter, abi: COUNTER.abi, functionName: "get" }), before + 100n);

    // A deployment signed by the node.
    const { address } = await deploy(COUNTER, [], nodeWallet);
    assert.equal(await publicClient.readContract({ address, abi: COUNTER.abi, functionName: "get" }), 0n);

    // personal_sign and eth_signTypedData_v4 from the node verify against the dev address.
    const message = "signed by fevm";
    const signature = await nodeWallet.signMessage({ message });
    assert.ok(await verifyMessage({ address: DEV_ADDRESSES[5], message, signature }));
    const typed = {
      domain: { name: "fevm-viem", version: "1", chainId: CHAIN_ID, verifyingContract: counter },
      types: { Vote: [{ name: "voter", type: "address" }, { name: "choice", type: "uint8" }, { name: "note", type: "string" }] },
      primaryType: "Vote",
      message: { voter: DEV_ADDRESSES[5], choice: 2, note: "yes" },
    };
    const typedSig = await nodeWallet.signTypedData(typed);
    assert.ok(await verifyTypedData({ address: DEV_ADDRESSES[5], ...typed, signature: typedSig }));
  });

  test("back-to-back writes: sequential without waiting, and concurrent with a nonce manager", { timeout: TEST_TIMEOUT }, async () => {
    const read = () => publicClient.readContract({ address: counter, abi: COUNTER.abi, functionName: "get" });
    const inc = (client) => client.writeContract({ address: counter, abi: COUNTER.abi, functionName: "increment" });

    // Sequential sends, no receipt waits in between: each reads the pending nonce.
    const seqAccount = privateKeyToAccount(DEV_KEYS[3]);
    const seqWallet = createWalletClient({ account: seqAccount, chain, transport: http(), pollingInterval: 100 });
    const seqStart = await publicClient.getTransactionCount({ address: seqAccount.address, blockTag: "pending" });
    const before = await read();
    const hashes = [];
    for (let i = 0; i < 4; i++) hashes.push(await inc(seqWallet));
    const receipts = await Promise.all(hashes.map((hash) => publicClient.waitForTransactionReceipt({ hash })));
    assert.ok(receipts.every((r) => r.status === "success"));
    const txs = await Promise.all(hashes.map((hash) => publicClient.getTransaction({ hash })));
    assert.deepEqual(txs.map((t) => t.nonce), [0, 1, 2, 3].map((i) => seqStart + i));
    assert.equal(await read(), before + 4n);

    // Concurrent sends from one account: viem's nonceManager hands out consecutive nonces, and a
    // batching HTTP transport sends the requests as JSON-RPC batches.
    const rec = recordingHttp(chain.rpcUrls.default.http[0], { batch: { wait: 20 } });
    const conAccount = privateKeyToAccount(DEV_KEYS[4], { nonceManager });
    const conWallet = createWalletClient({ account: conAccount, chain, transport: rec.transport, pollingInterval: 100 });
    const conStart = await publicClient.getTransactionCount({ address: conAccount.address });
    const mid = await read();
    const conHashes = await Promise.all([0, 1, 2, 3, 4].map(() => inc(conWallet)));
    const conReceipts = await Promise.all(conHashes.map((hash) => publicClient.waitForTransactionReceipt({ hash })));
    assert.ok(conReceipts.every((r) => r.status === "success"));
    const conTxs = await Promise.all(conHashes.map((hash) => publicClient.getTransaction({ hash })));
    assert.deepEqual(conTxs.map((t) => t.nonce).sort((a, b) => a - b), [0, 1, 2, 3, 4].map((i) => conStart + i));
    assert.equal(await read(), mid + 5n);
    assert.equal(await publicClient.getTransactionCount({ address: conAccount.address }), conStart + 5);
    const batched = rec.bodies.filter(Array.isArray);
    assert.ok(batched.some((b) => b.filter((r) => r.method === "eth_sendRawTransaction").length >= 2),
      `no batch of raw transactions; batch sizes ${batched.map((b) => b.length)}`);
  });

  test("batched HTTP transport: Promise.all of reads goes out as one batch, answers match", { timeout: TEST_TIMEOUT }, async () => {
    const rec = recordingHttp(chain.rpcUrls.default.http[0], { batch: true });
    const batching = createPublicClient({ chain, transport: rec.transport, cacheTime: 0 });
    const [balances, code, count, supply, blockNumber] = await Promise.all([
      Promise.all(DEV_ADDRESSES.map((address) => batching.getBalance({ address }))),
      batching.getCode({ address: token }),
      batching.readContract({ address: counter, abi: COUNTER.abi, functionName: "get" }),
      batching.readContract({ address: token, abi: TOKEN.abi, functionName: "totalSupply" }),
      batching.getBlockNumber(),
    ]);
    assert.deepEqual(balances, await Promise.all(DEV_ADDRESSES.map((address) => publicClient.getBalance({ address }))));
    assert.equal(code, TOKEN.runtime);
    assert.equal(count, await publicClient.readContract({ address: counter, abi: COUNTER.abi, functionName: "get" }));
    assert.equal(supply, parseUnits("500000", 18));
    assert.equal(blockNumber, await publicClient.getBlockNumber());

    const batch = rec.bodies.find((b) => Array.isArray(b) && b.length >= DEV_ADDRESSES.length + 4);
    assert.ok(batch, `no batch carried every read; bodies: ${rec.bodies.map((b) => (Array.isArray(b) ? b.length : 1))}`);
    const methods = new Set(batch.map((r) => r.method));
    for (const m of ["eth_getBalance", "eth_getCode", "eth_call", "eth_blockNumber"]) assert.ok(methods.has(m), `${m} not in ${[...methods]}`);
  });
});
