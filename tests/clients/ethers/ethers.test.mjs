// ethers v6 against fevm: the flows a dapp or a script goes through, each checked by its result
// (balances, storage, event arguments, revert reasons), not only by the absence of an exception.
//
// Run through test.sh (a fresh fevm from lib/with-fevm.mjs, FEVM_URL/FEVM_WS_URL in the env), or
// directly with `node --test ethers/ethers.test.mjs`, which starts its own node.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  ContractFactory,
  Contract,
  JsonRpcProvider,
  NonceManager,
  Wallet,
  WebSocketProvider,
  getAddress,
  id as eventTopic,
  isCallException,
  parseEther,
  parseUnits,
  verifyMessage,
  verifyTypedData,
  zeroPadValue,
  ZeroAddress,
} from "ethers";
import { CHAIN_ID, DEV_ADDRESSES as FIRST_ADDRESSES, DEV_KEYS as FIRST_KEYS, repoRoot, startFevm } from "../lib/fevm.mjs";

// lib/fevm.mjs lists the first five dev accounts; the suite spreads its senders over eight so the
// tests do not share nonces. Accounts 5..7 of the same default mnemonic:
const DEV_KEYS = [
  ...FIRST_KEYS,
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
];
const DEV_ADDRESSES = [
  ...FIRST_ADDRESSES,
  "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
  "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
];

const TEST_TIMEOUT = 30_000;

function artifact(name) {
  const file = path.join(repoRoot, "solidity-fixtures", "artifacts", `${name}.json`);
  const { abi, bytecode } = JSON.parse(readFileSync(file, "utf8"));
  return { abi, bytecode: bytecode.object.startsWith("0x") ? bytecode.object : `0x${bytecode.object}` };
}
const TOKEN = artifact("Token");
const COUNTER = artifact("Counter");
const REVERTER = artifact("Reverter");

/** A fresh address nobody has used: its balance starts at zero. */
const freshAddress = () => Wallet.createRandom().address;

/** Wait for `promise`, failing with `what` after `ms`. */
function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let node = null; // only when the suite starts its own fevm
let url;
let wsUrl;
/** No batching surprises, no cache: every read goes to the node. */
let provider;
/** ethers' defaults: JSON-RPC batching (10 ms stall, up to 100 calls), 250 ms result cache. */
let batchingProvider;
let deployer; // dev account 0, signing locally
let token;
let tokenDeployBlock;
let counter;
let reverter;

before(async () => {
  url = process.env.FEVM_URL;
  wsUrl = process.env.FEVM_WS_URL;
  if (!url) {
    node = await startFevm({ name: "ethers-dev" });
    ({ url, wsUrl } = node);
  }
  provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 1 });
  provider.pollingInterval = 200;
  batchingProvider = new JsonRpcProvider(url);
  batchingProvider.pollingInterval = 200;
  deployer = new Wallet(DEV_KEYS[0], provider);
});

after(async () => {
  provider?.destroy();
  batchingProvider?.destroy();
  await node?.stop();
});

describe("ethers v6", { concurrency: 1 }, () => {
  test("network: chain id, client version, dev accounts", { timeout: TEST_TIMEOUT }, async () => {
    const network = await provider.getNetwork();
    assert.equal(network.chainId, BigInt(CHAIN_ID));
    const detected = await batchingProvider.getNetwork();
    assert.equal(detected.chainId, BigInt(CHAIN_ID));
    assert.match(await provider.send("web3_clientVersion", []), /^fevm\/v\d/);
    assert.equal(await provider.send("net_version", []), String(CHAIN_ID));

    const accounts = await provider.listAccounts();
    assert.ok(accounts.length >= DEV_ADDRESSES.length);
    assert.deepEqual(
      accounts.slice(0, DEV_ADDRESSES.length).map((s) => s.address),
      DEV_ADDRESSES,
    );
    const balance = await provider.getBalance(DEV_ADDRESSES[7]);
    assert.ok(balance > 0n, "dev accounts are funded");
    assert.ok((await provider.getBlockNumber()) >= 0);
  });

  test("fee data: gas price, EIP-1559 fees, base fee", { timeout: TEST_TIMEOUT }, async () => {
    const fee = await provider.getFeeData();
    assert.ok(fee.gasPrice > 0n, `gasPrice ${fee.gasPrice}`);
    assert.ok(fee.maxFeePerGas > 0n, `maxFeePerGas ${fee.maxFeePerGas}`);
    assert.ok(fee.maxPriorityFeePerGas > 0n, `maxPriorityFeePerGas ${fee.maxPriorityFeePerGas}`);
    assert.ok(fee.maxFeePerGas >= fee.maxPriorityFeePerGas);
    const block = await provider.getBlock("latest");
    assert.ok(block.baseFeePerGas > 0n);
    // ethers derives maxFeePerGas as 2 * baseFee + priority fee.
    assert.equal(fee.maxFeePerGas, block.baseFeePerGas * 2n + fee.maxPriorityFeePerGas);
  });

  test("native value transfer moves exactly the value; the sender pays value + fees", { timeout: TEST_TIMEOUT }, async () => {
    const to = freshAddress();
    const value = parseEther("1.25");
    const senderBefore = await provider.getBalance(deployer.address);
    assert.equal(await provider.getBalance(to), 0n);

    const tx = await deployer.sendTransaction({ to, value });
    assert.equal(tx.chainId, BigInt(CHAIN_ID));
    assert.equal(tx.type, 2);
    const receipt = await tx.wait();
    assert.equal(receipt.status, 1);
    assert.equal(receipt.hash, tx.hash);
    assert.equal(receipt.from, deployer.address);
    assert.equal(receipt.to, to);
    assert.ok(receipt.gasUsed > 0n && receipt.gasUsed <= tx.gasLimit, `gasUsed ${receipt.gasUsed} of ${tx.gasLimit}`);

    assert.equal(await provider.getBalance(to), value);
    const spent = senderBefore - (await provider.getBalance(deployer.address));
    const fees = spent - value;
    // Filecoin settles gas differently from Ethereum (base fee on gas used, over-estimation burn,
    // tip on the limit), so bound the fee between what was used and what was reserved.
    assert.ok(fees >= receipt.gasUsed * (await provider.getBlock(receipt.blockNumber)).baseFeePerGas, `fees ${fees}`);
    assert.ok(fees <= tx.gasLimit * tx.maxFeePerGas, `fees ${fees} above the reservation`);

    // The mined transaction as the node reports it.
    const mined = await provider.getTransaction(tx.hash);
    assert.equal(mined.from, deployer.address);
    assert.equal(mined.to, to);
    assert.equal(mined.value, value);
    assert.equal(mined.nonce, tx.nonce);
    assert.equal(mined.blockNumber, receipt.blockNumber);
    const block = await provider.getBlock(receipt.blockNumber);
    assert.ok(block.transactions.includes(tx.hash));
  });

  test("deploy Token with a ContractFactory (constructor args) and read it back", { timeout: TEST_TIMEOUT }, async () => {
    const supply = parseUnits("1000000", 18);
    const factory = new ContractFactory(TOKEN.abi, TOKEN.bytecode, deployer);
    const deployed = await factory.deploy(supply);
    const deployTx = deployed.deploymentTransaction();
    assert.equal(deployTx.to, null);
    await deployed.waitForDeployment();
    const receipt = await deployTx.wait();
    assert.equal(receipt.status, 1);
    assert.equal(getAddress(receipt.contractAddress), await deployed.getAddress());
    assert.ok(receipt.gasUsed > 0n && receipt.gasUsed <= deployTx.gasLimit);
    tokenDeployBlock = receipt.blockNumber;
    token = deployed;

    const code = await provider.getCode(await token.getAddress());
    const runtime = JSON.parse(
      readFileSync(path.join(repoRoot, "solidity-fixtures/artifacts/Token.json"), "utf8"),
    ).deployedBytecode.object;
    assert.equal(code.replace(/^0x/, ""), runtime.replace(/^0x/, ""));

    assert.equal(await token.name(), "Fixture Token");
    assert.equal(await token.symbol(), "FIX");
    assert.equal(await token.decimals(), 18n);
    assert.equal(await token.totalSupply(), supply);
    assert.equal(await token.balanceOf(deployer.address), supply);

    // The constructor's mint, parsed from the deployment receipt.
    const mints = receipt.logs.map((log) => token.interface.parseLog(log)).filter((e) => e?.name === "Transfer");
    assert.equal(mints.length, 1);
    assert.equal(mints[0].args.from, ZeroAddress);
    assert.equal(mints[0].args.to, deployer.address);
    assert.equal(mints[0].args.value, supply);
  });

  test("send a transfer, wait for the receipt, parse its Transfer event", { timeout: TEST_TIMEOUT }, async () => {
    const to = DEV_ADDRESSES[1];
    const amount = parseUnits("250", 18);
    const before = await token.balanceOf(deployer.address);

    const tx = await token.transfer(to, amount);
    const receipt = await tx.wait();
    assert.equal(receipt.status, 1);
    assert.equal(getAddress(receipt.to), await token.getAddress());
    assert.ok(receipt.gasUsed > 0n && receipt.gasUsed <= tx.gasLimit);
    assert.equal(receipt.logs.length, 1);

    // A contract's receipt gives EventLogs, already decoded.
    const [log] = receipt.logs;
    assert.equal(log.eventName, "Transfer");
    assert.equal(log.args.from, deployer.address);
    assert.equal(log.args.to, to);
    assert.equal(log.args.value, amount);
    assert.equal(log.transactionHash, tx.hash);
    assert.equal(log.blockNumber, receipt.blockNumber);
    assert.equal(log.topics[0], eventTopic("Transfer(address,address,uint256)"));

    assert.equal(await token.balanceOf(deployer.address), before - amount);
    assert.equal(await token.balanceOf(to), amount);

    // approve + transferFrom by another signer, checking allowance bookkeeping.
    const spender = new Wallet(DEV_KEYS[2], provider);
    await (await token.approve(spender.address, amount)).wait();
    assert.equal(await token.allowance(deployer.address, spender.address), amount);
    const pulled = parseUnits("100", 18);
    const r2 = await (await token.connect(spender).transferFrom(deployer.address, DEV_ADDRESSES[3], pulled)).wait();
    assert.equal(r2.status, 1);
    assert.equal(await token.allowance(deployer.address, spender.address), amount - pulled);
    assert.equal(await token.balanceOf(DEV_ADDRESSES[3]), pulled);
  });

  test("query logs with queryFilter and getLogs (indexed topic filters, block ranges)", { timeout: TEST_TIMEOUT }, async () => {
    const tokenAddress = await token.getAddress();
    const all = await token.queryFilter(token.filters.Transfer(), tokenDeployBlock, "latest");
    // mint, transfer to account 1, transferFrom to account 3
    assert.deepEqual(
      all.map((e) => [e.args.from, e.args.to]),
      [
        [ZeroAddress, deployer.address],
        [deployer.address, DEV_ADDRESSES[1]],
        [deployer.address, DEV_ADDRESSES[3]],
      ],
    );
    assert.ok(all.every((e) => getAddress(e.address) === tokenAddress));
    for (let i = 1; i < all.length; i++) assert.ok(all[i].blockNumber >= all[i - 1].blockNumber);

    const toThree = await token.queryFilter(token.filters.Transfer(null, DEV_ADDRESSES[3]), tokenDeployBlock);
    assert.equal(toThree.length, 1);
    assert.equal(toThree[0].args.value, parseUnits("100", 18));

    const approvals = await token.queryFilter("Approval", tokenDeployBlock);
    assert.equal(approvals.length, 1);
    assert.equal(approvals[0].args.spender, DEV_ADDRESSES[2]);

    // The same through the provider, with raw topics.
    const raw = await provider.getLogs({
      address: tokenAddress,
      topics: [eventTopic("Transfer(address,address,uint256)"), zeroPadValue(deployer.address, 32)],
      fromBlock: tokenDeployBlock,
      toBlock: "latest",
    });
    assert.equal(raw.length, 2);
    assert.deepEqual(
      raw.map((l) => token.interface.parseLog(l).args.to),
      [DEV_ADDRESSES[1], DEV_ADDRESSES[3]],
    );
    // A range before the deployment has nothing.
    const none = await provider.getLogs({ address: tokenAddress, fromBlock: 0, toBlock: tokenDeployBlock - 1 });
    assert.deepEqual(none, []);
  });

  test("Counter: calls and sends change storage, CountChanged carries old and new values", { timeout: TEST_TIMEOUT }, async () => {
    counter = await (await new ContractFactory(COUNTER.abi, COUNTER.bytecode, deployer).deploy()).waitForDeployment();
    assert.equal(await counter.get(), 0n);

    // staticCall runs the function without a transaction and returns its result.
    assert.equal(await counter.increment.staticCall(), 1n);
    assert.equal(await counter.get(), 0n, "a static call does not change storage");

    const r1 = await (await counter.increment()).wait();
    const r2 = await (await counter.add(41n)).wait();
    assert.equal(await counter.get(), 42n);
    assert.equal(await counter.count(), 42n);
    const slot0 = await provider.getStorage(await counter.getAddress(), 0);
    assert.equal(BigInt(slot0), 42n);

    const [e1] = r1.logs;
    assert.equal(e1.eventName, "CountChanged");
    assert.deepEqual([...e1.args], [deployer.address, 0n, 1n]);
    const [e2] = r2.logs;
    assert.deepEqual([...e2.args], [deployer.address, 1n, 42n]);

    // Storage as of an older block.
    assert.equal(await counter.get({ blockTag: r1.blockNumber }), 1n);
  });

  test("revert reasons reach the caller (call, staticCall, estimateGas, send, custom errors, panics)", { timeout: TEST_TIMEOUT }, async () => {
    reverter = await (await new ContractFactory(REVERTER.abi, REVERTER.bytecode, deployer).deploy()).waitForDeployment();
    const reverterAddress = await reverter.getAddress();

    const expectCallException = (reason) => (error) => {
      assert.ok(isCallException(error), `expected CALL_EXCEPTION, got ${error.code}: ${error.message}`);
      assert.equal(error.reason, reason);
      return true;
    };

    // staticCall (eth_call)
    await assert.rejects(reverter.revertWithMessage.staticCall("fevm says no"), (error) => {
      expectCallException("fevm says no")(error);
      assert.equal(error.revert.name, "Error");
      assert.deepEqual([...error.revert.args], ["fevm says no"]);
      assert.equal(error.action, "call");
      return true;
    });
    // A view called normally is an eth_call too.
    await assert.rejects(reverter.requireWithMessage(false), expectCallException("Reverter: require failed"));
    assert.equal(await reverter.requireWithMessage(true), true);

    // estimateGas
    await assert.rejects(reverter.setThenRevert.estimateGas(7n), (error) => {
      expectCallException("Reverter: rolled back")(error);
      assert.equal(error.action, "estimateGas");
      return true;
    });
    // Sending a reverting transaction: ethers estimates gas first and surfaces the reason.
    await assert.rejects(reverter.setThenRevert(7n), expectCallException("Reverter: rolled back"));

    // Provider-level eth_call: the raw revert data comes back too.
    const data = reverter.interface.encodeFunctionData("revertWithMessage", ["raw"]);
    await assert.rejects(provider.call({ to: reverterAddress, data }), (error) => {
      expectCallException("raw")(error);
      assert.equal(error.data, reverter.interface.encodeErrorResult("Error", ["raw"]));
      return true;
    });

    // Custom error, decoded with the contract's ABI.
    await assert.rejects(reverter.revertWithCustomError.staticCall(7n), (error) => {
      assert.ok(isCallException(error));
      assert.equal(error.revert.name, "CustomError");
      assert.deepEqual([...error.revert.args], [7n, deployer.address, "custom"]);
      return true;
    });
    // Panic(0x12): division by zero.
    await assert.rejects(reverter.panicDivisionByZero.staticCall(0n), (error) => {
      assert.ok(isCallException(error));
      assert.equal(error.revert.name, "Panic");
      assert.equal(BigInt(error.revert.args[0]), 0x12n);
      return true;
    });
    assert.equal(await reverter.panicDivisionByZero(4n), 25n);

    // A reverting transaction that is mined anyway (explicit gas limit, no estimate): status 0,
    // wait() rejects with the receipt, and the store before the revert is rolled back.
    await (await reverter.set(5n)).wait();
    const tx = await reverter.setThenRevert(9n, { gasLimit: 50_000_000n });
    await assert.rejects(tx.wait(), (error) => {
      assert.ok(isCallException(error));
      assert.equal(error.receipt.status, 0);
      assert.equal(error.receipt.hash, tx.hash);
      assert.ok(error.receipt.gasUsed > 0n);
      return true;
    });
    assert.equal(await reverter.value(), 5n);
    assert.equal((await provider.getTransactionReceipt(tx.hash)).status, 0);
  });

  test("back-to-back transactions from one wallet get consecutive nonces", { timeout: TEST_TIMEOUT }, async () => {
    // Without a cache (cacheTimeout -1) each send reads the pending nonce afresh, so sending
    // without waiting in between works.
    const wallet = new Wallet(DEV_KEYS[4], provider);
    const c = counter.connect(wallet);
    const start = await provider.getTransactionCount(wallet.address, "pending");
    const countBefore = await counter.get();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await c.increment());
    assert.deepEqual(sent.map((tx) => tx.nonce), [0, 1, 2, 3, 4].map((i) => start + i));
    const receipts = await Promise.all(sent.map((tx) => tx.wait()));
    assert.ok(receipts.every((r) => r.status === 1));
    assert.equal(await counter.get(), countBefore + 5n);
    assert.equal(await provider.getTransactionCount(wallet.address, "latest"), start + 5);
    const olds = receipts.map((r) => r.logs[0].args.oldValue);
    assert.deepEqual(olds, [0n, 1n, 2n, 3n, 4n].map((i) => countBefore + i));
  });

  test("default provider: concurrent sends through a NonceManager travel in JSON-RPC batches", { timeout: TEST_TIMEOUT }, async () => {
    const payloads = [];
    await batchingProvider.on("debug", (info) => {
      if (info.action === "sendRpcPayload") payloads.push(info.payload);
    });
    try {
      const wallet = new NonceManager(new Wallet(DEV_KEYS[5], batchingProvider));
      const address = await wallet.getAddress();
      const c = counter.connect(wallet);
      const start = await provider.getTransactionCount(address, "pending");
      const countBefore = await counter.get();
      const sent = await Promise.all([1n, 2n, 3n, 4n].map((n) => c.add(n)));
      assert.deepEqual(
        sent.map((tx) => tx.nonce).sort((a, b) => a - b),
        [0, 1, 2, 3].map((i) => start + i),
      );
      const receipts = await Promise.all(sent.map((tx) => tx.wait()));
      assert.ok(receipts.every((r) => r.status === 1));
      assert.equal(await counter.get(), countBefore + 10n);
      assert.equal(await provider.getTransactionCount(address, "latest"), start + 4);

      const batches = payloads.filter(Array.isArray);
      const batchedMethods = new Set(batches.flat().map((p) => p.method));
      assert.ok(batches.some((b) => b.length >= 4), `expected a batch of >= 4 calls, saw sizes ${batches.map((b) => b.length)}`);
      assert.ok(batchedMethods.has("eth_sendRawTransaction"), `batched: ${[...batchedMethods]}`);
    } finally {
      await batchingProvider.off("debug");
    }
  });

  test("default provider: Promise.all of reads goes out as one batch with the right answers", { timeout: TEST_TIMEOUT }, async () => {
    const payloads = [];
    const results = [];
    await batchingProvider.on("debug", (info) => {
      if (info.action === "sendRpcPayload") payloads.push(info.payload);
      if (info.action === "receiveRpcResult") results.push(info.result);
    });
    try {
      // The default provider caches each answer for 250 ms (cacheTimeout): let the block number
      // and nonces the previous test read expire, so every read below reaches the node.
      await new Promise((r) => setTimeout(r, 300));
      const tokenAddress = await token.getAddress();
      const [balances, code, nonce, supply, count, blockNumber] = await Promise.all([
        Promise.all(DEV_ADDRESSES.map((a) => batchingProvider.getBalance(a))),
        batchingProvider.getCode(tokenAddress),
        batchingProvider.getTransactionCount(DEV_ADDRESSES[4]),
        token.connect(batchingProvider).totalSupply(),
        counter.connect(batchingProvider).get(),
        batchingProvider.getBlockNumber(),
      ]);
      // Same answers one request at a time.
      assert.deepEqual(balances, await Promise.all(DEV_ADDRESSES.map((a) => provider.getBalance(a))));
      assert.equal(code, await provider.getCode(tokenAddress));
      assert.equal(nonce, await provider.getTransactionCount(DEV_ADDRESSES[4]));
      assert.equal(supply, parseUnits("1000000", 18));
      assert.equal(count, await counter.get());
      assert.equal(blockNumber, await provider.getBlockNumber());

      const batch = payloads.find((p) => Array.isArray(p) && p.length >= DEV_ADDRESSES.length + 4);
      assert.ok(batch, `no batch with every read; sizes ${payloads.map((p) => (Array.isArray(p) ? p.length : 1))}`);
      const methods = batch.map((p) => p.method);
      for (const m of ["eth_getBalance", "eth_getCode", "eth_getTransactionCount", "eth_call", "eth_blockNumber"]) {
        assert.ok(methods.includes(m), `${m} missing from batch ${methods}`);
      }
      // The node answered the batch with one result per request and matching ids.
      const answer = results.find((r) => Array.isArray(r) && r.length === batch.length);
      assert.ok(answer, "no batch answer of the same size");
      assert.deepEqual(new Set(answer.map((r) => r.id)), new Set(batch.map((p) => p.id)));
      assert.ok(answer.every((r) => r.error === undefined && r.result !== undefined));
    } finally {
      await batchingProvider.off("debug");
    }
  });

  test("JsonRpcSigner from provider.getSigner(0): node-side eth_sendTransaction and signing", { timeout: TEST_TIMEOUT }, async () => {
    const signer = await provider.getSigner(0);
    assert.equal(signer.address, DEV_ADDRESSES[0]);
    const other = await provider.getSigner(DEV_ADDRESSES[6]);
    assert.equal(await other.getAddress(), DEV_ADDRESSES[6]);

    // Value transfer signed by the node.
    const to = freshAddress();
    const value = parseEther("0.5");
    const tx = await other.sendTransaction({ to, value });
    assert.equal(tx.from, DEV_ADDRESSES[6]);
    const receipt = await tx.wait();
    assert.equal(receipt.status, 1);
    assert.equal(await provider.getBalance(to), value);

    // A contract call through the node's key.
    const c = counter.connect(signer);
    const before = await counter.get();
    const r = await (await c.set(before + 100n)).wait();
    assert.equal(r.status, 1);
    assert.equal(r.from, DEV_ADDRESSES[0]);
    assert.equal(await counter.get(), before + 100n);
    assert.deepEqual([...r.logs[0].args], [DEV_ADDRESSES[0], before, before + 100n]);

    // A deployment through the node's key.
    const viaNode = await (await new ContractFactory(COUNTER.abi, COUNTER.bytecode, other).deploy()).waitForDeployment();
    assert.equal(await viaNode.get(), 0n);
    assert.notEqual(await provider.getCode(await viaNode.getAddress()), "0x");

    // personal_sign and eth_signTypedData_v4 signatures recover to the dev account.
    const message = "hello from fevm";
    const signature = await other.signMessage(message);
    assert.equal(verifyMessage(message, signature), DEV_ADDRESSES[6]);
    const domain = { name: "fevm-test", version: "1", chainId: CHAIN_ID, verifyingContract: await token.getAddress() };
    const types = { Mail: [{ name: "to", type: "address" }, { name: "contents", type: "string" }, { name: "n", type: "uint256" }] };
    const mail = { to: DEV_ADDRESSES[1], contents: "typed data", n: 42n };
    const typedSig = await other.signTypedData(domain, types, mail);
    assert.equal(verifyTypedData(domain, types, mail, typedSig), DEV_ADDRESSES[6]);
  });

  test("WebSocketProvider: block and contract event subscriptions fire after a transaction", { timeout: TEST_TIMEOUT }, async () => {
    const ws = new WebSocketProvider(wsUrl);
    try {
      assert.equal((await ws.getNetwork()).chainId, BigInt(CHAIN_ID));
      const startBlock = await ws.getBlockNumber();
      const counterAddress = await counter.getAddress();
      const wsCounter = new Contract(counterAddress, COUNTER.abi, ws);

      let onBlock;
      const blockSeen = new Promise((resolve) => {
        onBlock = (n) => {
          if (n > startBlock) resolve(n);
        };
      });
      await ws.on("block", onBlock);
      const eventSeen = new Promise((resolve) => {
        wsCounter.on("CountChanged", (by, oldValue, newValue, payload) => resolve({ by, oldValue, newValue, payload }));
      });
      // Let both eth_subscribe calls complete before the transaction goes out.
      await new Promise((r) => setTimeout(r, 300));
      await ws.send("eth_chainId", []);

      const before = await counter.get();
      const receipt = await (await counter.connect(new Wallet(DEV_KEYS[7], provider)).increment()).wait();

      const n = await within(10_000, "a new block over WebSocket", blockSeen);
      assert.ok(n > startBlock && n <= receipt.blockNumber, `block ${n}, receipt in ${receipt.blockNumber}`);
      const event = await within(10_000, "CountChanged over WebSocket", eventSeen);
      assert.equal(event.by, DEV_ADDRESSES[7]);
      assert.equal(event.oldValue, before);
      assert.equal(event.newValue, before + 1n);
      assert.equal(event.payload.log.transactionHash, receipt.hash);
      assert.equal(event.payload.log.blockNumber, receipt.blockNumber);

      // Reads work over the socket too.
      assert.equal(await wsCounter.get(), before + 1n);
      // Removing the last listener makes ethers send eth_unsubscribe without awaiting it; give
      // those requests time to be answered before the socket closes.
      await wsCounter.removeAllListeners();
      await ws.off("block", onBlock);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await ws.destroy();
    }
  });

  test("with --no-mining: pending nonces count queued transactions, evm_mine includes them all", { timeout: 60_000 }, async () => {
    const manual = await startFevm({ name: "ethers-no-mining", args: ["--no-mining"] });
    const p = new JsonRpcProvider(manual.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    p.pollingInterval = 200;
    try {
      const wallet = new Wallet(DEV_KEYS[1], p);
      const to = freshAddress();
      const start = await p.getTransactionCount(wallet.address, "latest");
      const head = await p.getBlockNumber();
      const sent = [];
      for (let i = 1; i <= 3; i++) sent.push(await wallet.sendTransaction({ to, value: BigInt(i) * 1000n }));
      assert.deepEqual(sent.map((tx) => tx.nonce), [start, start + 1, start + 2]);
      assert.equal(await p.getTransactionCount(wallet.address, "pending"), start + 3);
      assert.equal(await p.getTransactionCount(wallet.address, "latest"), start);
      assert.equal(await p.getTransactionReceipt(sent[0].hash), null);
      assert.equal(await p.getBalance(to), 0n);

      await p.send("evm_mine", []);
      const receipts = await Promise.all(sent.map((tx) => tx.wait()));
      assert.ok(receipts.every((r) => r.status === 1 && r.blockNumber === head + 1));
      assert.equal(await p.getBlockNumber(), head + 1);
      assert.equal(await p.getBalance(to), 6000n);
      assert.equal(await p.getTransactionCount(wallet.address, "latest"), start + 3);
    } finally {
      p.destroy();
      await manual.stop();
    }
  });
});
