// web3.js v4 against a real fevm: deployments, calls, transactions signed locally (wallet and raw)
// and by the node (eth_accounts + eth_sendTransaction), events, value transfers and revert reasons.
//
// Run through `test.sh`, which starts a fresh fevm and passes its URL in FEVM_URL.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { Web3 } from "web3";
import { CHAIN_ID, DEV_ADDRESSES, DEV_KEYS, repoRoot } from "../lib/fevm.mjs";

const url = process.env.FEVM_URL;
if (!url) throw new Error("FEVM_URL is not set: run this suite through web3js/test.sh");

function artifact(name) {
  const file = path.join(repoRoot, "solidity-fixtures", "artifacts", `${name}.json`);
  const json = JSON.parse(readFileSync(file, "utf8"));
  return { abi: json.abi, bytecode: json.bytecode.object, deployed: json.deployedBytecode.object };
}
const Token = artifact("Token");
const Counter = artifact("Counter");
const Reverter = artifact("Reverter");

const same = (a, b) => assert.equal(a.toLowerCase(), b.toLowerCase());
const FIL = 10n ** 18n;

// Signs locally: the wallet holds dev key 1, so every transaction from it is eth_sendRawTransaction.
const web3 = new Web3(url);
const wallet = web3.eth.accounts.wallet.add(DEV_KEYS[1]).get(0);
// No wallet: a transaction from one of the node's accounts goes out as eth_sendTransaction.
const nodeWeb3 = new Web3(url);

/** Deploys `art` with `args` and returns the contract and the deployment receipt. */
async function deploy(w3, art, args, from) {
  let hash;
  const contract = await new w3.eth.Contract(art.abi)
    .deploy({ data: art.bytecode, arguments: args })
    .send({ from })
    .on("transactionHash", (h) => {
      hash = h;
    });
  assert.match(hash, /^0x[0-9a-f]{64}$/);
  const receipt = await w3.eth.getTransactionReceipt(hash);
  return { contract, receipt };
}

describe("chain identity", () => {
  test("eth_chainId, net_version and web3_clientVersion", async () => {
    assert.equal(await web3.eth.getChainId(), BigInt(CHAIN_ID));
    assert.equal(await web3.eth.net.getId(), BigInt(CHAIN_ID));
    assert.equal(String(CHAIN_ID), process.env.FEVM_CHAIN_ID);
    const client = await web3.eth.getNodeInfo();
    assert.equal(typeof client, "string");
    assert.ok(client.length > 0);
  });

  test("blocks by tag and number", async () => {
    const earliest = await web3.eth.getBlock("earliest");
    assert.equal(earliest.number, 0n);
    const genesis = await web3.eth.getBlock(0);
    assert.equal(genesis.hash, earliest.hash);
    const height = await web3.eth.getBlockNumber();
    const latest = await web3.eth.getBlock("latest");
    assert.ok(latest.number >= height);
    assert.match(latest.hash, /^0x[0-9a-f]{64}$/);
    if (latest.number > 0n) {
      const parent = await web3.eth.getBlock(latest.number - 1n);
      assert.equal(latest.parentHash, parent.hash);
    }
  });

  test("the node's accounts are the dev accounts, funded", async () => {
    const accounts = await nodeWeb3.eth.getAccounts();
    assert.ok(accounts.length >= DEV_ADDRESSES.length);
    DEV_ADDRESSES.forEach((address, i) => same(accounts[i], address));
    same(wallet.address, DEV_ADDRESSES[1]);
    const balance = await web3.eth.getBalance(DEV_ADDRESSES[4]);
    assert.ok(balance > 1000n * FIL, `dev account balance ${balance}`);
  });
});

describe("ERC-20 with a local wallet account", () => {
  const supply = 1_000_000n * FIL;
  const recipient = DEV_ADDRESSES[2];
  let token;
  let deployment;

  before(async () => {
    ({ contract: token, receipt: deployment } = await deploy(web3, Token, [supply], wallet.address));
  });

  test("deployment with a constructor argument", async () => {
    assert.equal(deployment.status, 1n);
    same(deployment.from, wallet.address);
    same(deployment.contractAddress, token.options.address);
    assert.equal(deployment.to ?? null, null);
    assert.ok(deployment.gasUsed > 0n);
    // The runtime code on chain is the compiler's deployed bytecode.
    assert.equal(await web3.eth.getCode(token.options.address), Token.deployed);
  });

  test("view calls read the constructor's state", async () => {
    assert.equal(await token.methods.name().call(), "Fixture Token");
    assert.equal(await token.methods.symbol().call(), "FIX");
    assert.equal(await token.methods.decimals().call(), 18n);
    assert.equal(await token.methods.totalSupply().call(), supply);
    assert.equal(await token.methods.balanceOf(wallet.address).call(), supply);
    assert.equal(await token.methods.balanceOf(recipient).call(), 0n);
  });

  test("transfer: receipt, decoded Transfer event, balances", async () => {
    const amount = 1234n * FIL;
    const receipt = await token.methods.transfer(recipient, amount).send({ from: wallet.address });
    assert.equal(receipt.status, 1n);
    same(receipt.to, token.options.address);
    assert.equal(receipt.logs.length, 1);
    const event = receipt.events.Transfer;
    assert.ok(event, "receipt.events.Transfer");
    same(event.address, token.options.address);
    same(event.returnValues.from, wallet.address);
    same(event.returnValues.to, recipient);
    assert.equal(event.returnValues.value, amount);
    assert.equal(event.transactionHash, receipt.transactionHash);
    assert.equal(event.blockNumber, receipt.blockNumber);

    assert.equal(await token.methods.balanceOf(wallet.address).call(), supply - amount);
    assert.equal(await token.methods.balanceOf(recipient).call(), amount);
    // The transaction as the node reports it.
    const tx = await web3.eth.getTransaction(receipt.transactionHash);
    same(tx.from, wallet.address);
    same(tx.to, token.options.address);
    assert.equal(tx.blockHash, receipt.blockHash);
    assert.equal(tx.input.slice(0, 10), web3.eth.abi.encodeFunctionSignature("transfer(address,uint256)"));
  });

  test("getPastEvents: the mint and the transfer, with filters", async () => {
    const all = await token.getPastEvents("Transfer", { fromBlock: 0, toBlock: "latest" });
    assert.equal(all.length, 2);
    const [mint, transfer] = all;
    same(mint.returnValues.from, "0x0000000000000000000000000000000000000000");
    same(mint.returnValues.to, wallet.address);
    assert.equal(mint.returnValues.value, supply);
    assert.equal(mint.transactionHash, deployment.transactionHash);
    same(transfer.returnValues.to, recipient);
    assert.equal(transfer.returnValues.value, 1234n * FIL);

    // An indexed-argument filter becomes a topic filter on the node.
    const toRecipient = await token.getPastEvents("Transfer", { filter: { to: recipient }, fromBlock: 0 });
    assert.equal(toRecipient.length, 1);
    assert.equal(toRecipient[0].transactionHash, transfer.transactionHash);
    const none = await token.getPastEvents("Transfer", { filter: { from: recipient }, fromBlock: 0 });
    assert.equal(none.length, 0);
    const approvals = await token.getPastEvents("Approval", { fromBlock: 0 });
    assert.equal(approvals.length, 0);
  });

  test("a failing transfer surfaces the decoded custom error", async () => {
    const tooMuch = supply * 2n;
    await assert.rejects(
      token.methods.transfer(recipient, tooMuch).call({ from: wallet.address }),
      (e) => {
        assert.equal(e.name, "ContractExecutionError");
        assert.equal(e.innerError.errorName, "InsufficientBalance");
        assert.equal(e.innerError.errorSignature, "InsufficientBalance(address,uint256,uint256)");
        same(e.innerError.errorArgs.account, wallet.address);
        assert.equal(e.innerError.errorArgs.needed, tooMuch);
        return true;
      },
    );
  });
});

describe("value transfers", () => {
  test("from the local wallet: exact recipient delta, sender pays value plus bounded fees", async () => {
    const to = web3.eth.accounts.create().address;
    const value = 3n * FIL + 17n;
    const senderBefore = await web3.eth.getBalance(wallet.address);
    assert.equal(await web3.eth.getBalance(to), 0n);
    const gas = await web3.eth.estimateGas({ from: wallet.address, to, value });
    const receipt = await web3.eth.sendTransaction({ from: wallet.address, to, value, gas });
    assert.equal(receipt.status, 1n);
    assert.equal(await web3.eth.getBalance(to), value);
    const senderAfter = await web3.eth.getBalance(wallet.address);
    const tx = await web3.eth.getTransaction(receipt.transactionHash);
    assert.equal(tx.value, value);
    assert.equal(tx.gas, gas);
    const spent = senderBefore - senderAfter;
    assert.ok(spent > value, `sender paid ${spent}, no more than the value ${value}`);
    // Filecoin settles fees differently from Ethereum, but never above gas limit × fee cap.
    assert.ok(spent <= value + tx.gas * tx.maxFeePerGas, `sender paid ${spent}`);
  });

  test("from a node account (eth_sendTransaction)", async () => {
    const [from] = await nodeWeb3.eth.getAccounts();
    const to = DEV_ADDRESSES[3];
    const value = 5n * FIL;
    const before = await nodeWeb3.eth.getBalance(to);
    const nonce = await nodeWeb3.eth.getTransactionCount(from);
    const gas = await nodeWeb3.eth.estimateGas({ from, to, value });
    const receipt = await nodeWeb3.eth.sendTransaction({ from, to, value, gas });
    assert.equal(receipt.status, 1n);
    same(receipt.from, from);
    same(receipt.to, to);
    assert.equal(await nodeWeb3.eth.getBalance(to), before + value);
    assert.equal(await nodeWeb3.eth.getTransactionCount(from), nonce + 1n);
  });

  // web3.js checks a plain transfer without a gas limit by an eth_call with `gas: 21000` first
  // (checkRevertBeforeSending). No Filecoin message fits in 21,000 gas; fevm treats a call `gas`
  // below the inclusion cost as absent, so the check passes and the transfer is sent.
  test(
    "web3.js's default transfer path: no gas limit (wallet and node account)",
    async () => {
      const to = web3.eth.accounts.create().address;
      const fromWallet = await web3.eth.sendTransaction({ from: wallet.address, to, value: 11n });
      assert.equal(fromWallet.status, 1n);
      const [from] = await nodeWeb3.eth.getAccounts();
      const fromNode = await nodeWeb3.eth.sendTransaction({ from, to, value: 22n });
      assert.equal(fromNode.status, 1n);
      assert.equal(await web3.eth.getBalance(to), 33n);
    },
  );
});

describe("Counter through the node's own accounts (eth_sendTransaction)", () => {
  let counter;
  let from;

  before(async () => {
    [from] = await nodeWeb3.eth.getAccounts();
    const { contract, receipt } = await deploy(nodeWeb3, Counter, [], from);
    assert.equal(receipt.status, 1n);
    same(receipt.from, from);
    counter = contract;
  });

  test("send increment/add/set and read the storage back", async () => {
    assert.equal(await counter.methods.get().call(), 0n);
    const inc = await counter.methods.increment().send({ from });
    assert.equal(inc.status, 1n);
    assert.equal(await counter.methods.count().call(), 1n);

    const add = await counter.methods.add(41).send({ from });
    const changed = add.events.CountChanged;
    same(changed.returnValues.by, from);
    assert.equal(changed.returnValues.oldValue, 1n);
    assert.equal(changed.returnValues.newValue, 42n);
    assert.equal(await counter.methods.get().call(), 42n);

    await counter.methods.set(7).send({ from });
    assert.equal(await counter.methods.get().call(), 7n);
    // Storage slot 0 holds `count`.
    assert.equal(BigInt(await nodeWeb3.eth.getStorageAt(counter.options.address, 0)), 7n);
    // Reading at an earlier block sees the earlier value.
    assert.equal(await counter.methods.get().call({}, add.blockNumber), 42n);
  });

  test("getPastEvents by the indexed sender", async () => {
    const events = await counter.getPastEvents("CountChanged", { filter: { by: from }, fromBlock: 0 });
    assert.deepEqual(
      events.map((e) => [e.returnValues.oldValue, e.returnValues.newValue]),
      [
        [0n, 1n],
        [1n, 42n],
        [42n, 7n],
      ],
    );
    const others = await counter.getPastEvents("CountChanged", {
      filter: { by: DEV_ADDRESSES[4] },
      fromBlock: 0,
    });
    assert.equal(others.length, 0);
  });
});

describe("signed raw transactions", () => {
  let counter;

  before(async () => {
    ({ contract: counter } = await deploy(web3, Counter, [], wallet.address));
  });

  test("EIP-1559 transaction from accounts.signTransaction + sendSignedTransaction", async () => {
    const key = DEV_KEYS[4];
    const from = DEV_ADDRESSES[4];
    const data = counter.methods.set(1001).encodeABI();
    const gas = await web3.eth.estimateGas({ from, to: counter.options.address, data });
    const block = await web3.eth.getBlock("latest");
    const priority = await web3.eth.getMaxPriorityFeePerGas();
    const signed = await web3.eth.accounts.signTransaction(
      {
        from,
        to: counter.options.address,
        data,
        gas,
        maxPriorityFeePerGas: priority,
        maxFeePerGas: block.baseFeePerGas * 2n + priority,
        nonce: await web3.eth.getTransactionCount(from),
        chainId: BigInt(CHAIN_ID),
        type: 2,
      },
      key,
    );
    assert.match(signed.rawTransaction, /^0x02/);
    const receipt = await web3.eth.sendSignedTransaction(signed.rawTransaction);
    assert.equal(receipt.status, 1n);
    assert.equal(receipt.transactionHash, signed.transactionHash);
    same(receipt.from, from);
    assert.equal(receipt.type, 2n);
    assert.equal(await counter.methods.get().call(), 1001n);
    const log = receipt.logs[0];
    same(log.address, counter.options.address);
    const decoded = web3.eth.abi.decodeLog(
      Counter.abi.find((x) => x.name === "CountChanged").inputs,
      log.data,
      log.topics.slice(1),
    );
    same(decoded.by, from);
    assert.equal(decoded.newValue, 1001n);
  });

  test("legacy EIP-155 transaction", async () => {
    const key = DEV_KEYS[3];
    const from = DEV_ADDRESSES[3];
    const data = counter.methods.add(9).encodeABI();
    const signed = await web3.eth.accounts.signTransaction(
      {
        from,
        to: counter.options.address,
        data,
        gas: await web3.eth.estimateGas({ from, to: counter.options.address, data }),
        gasPrice: (await web3.eth.getGasPrice()) * 2n,
        nonce: await web3.eth.getTransactionCount(from),
        chainId: BigInt(CHAIN_ID),
        type: 0,
      },
      key,
    );
    const receipt = await web3.eth.sendSignedTransaction(signed.rawTransaction);
    assert.equal(receipt.status, 1n);
    assert.equal(receipt.transactionHash, signed.transactionHash);
    assert.equal(receipt.type, 0n);
    assert.equal(await counter.methods.get().call(), 1010n);
    const tx = await web3.eth.getTransaction(signed.transactionHash);
    assert.equal(tx.chainId, BigInt(CHAIN_ID));
    same(tx.from, from);
  });
});

describe("revert reasons", () => {
  let reverter;

  before(async () => {
    ({ contract: reverter } = await deploy(web3, Reverter, [], wallet.address));
  });

  test("call to requireWithMessage(false) surfaces the require string", async () => {
    assert.equal(await reverter.methods.requireWithMessage(true).call(), true);
    await assert.rejects(reverter.methods.requireWithMessage(false).call(), (e) => {
      assert.equal(e.name, "ContractExecutionError");
      assert.equal(e.innerError.code, 3);
      assert.equal(e.innerError.message, "execution reverted: Reverter: require failed");
      const expected = web3.eth.abi.encodeFunctionCall(
        { name: "Error", type: "function", inputs: [{ type: "string", name: "message" }] },
        ["Reverter: require failed"],
      );
      assert.equal(e.innerError.data, expected);
      return true;
    });
  });

  test("custom error arguments are decoded from the revert data", async () => {
    await assert.rejects(reverter.methods.revertWithCustomError(77).call({ from: wallet.address }), (e) => {
      assert.equal(e.innerError.errorName, "CustomError");
      assert.equal(e.innerError.errorArgs.code, 77n);
      same(e.innerError.errorArgs.sender, wallet.address);
      assert.equal(e.innerError.errorArgs.message, "custom");
      return true;
    });
  });

  test("send without a gas limit fails at estimation with the reason", async () => {
    const nonce = await web3.eth.getTransactionCount(wallet.address);
    await assert.rejects(
      reverter.methods.revertWithMessage("no gas for you").send({ from: wallet.address }),
      (e) => {
        assert.equal(e.name, "ContractExecutionError");
        assert.equal(e.innerError.message, "execution reverted: no gas for you");
        return true;
      },
    );
    // Nothing was sent.
    assert.equal(await web3.eth.getTransactionCount(wallet.address), nonce);
  });

  test("a mined revert with handleRevert reports the reason and a failed receipt", async () => {
    const strict = new Web3({ provider: url, config: { handleRevert: true } });
    strict.eth.accounts.wallet.add(DEV_KEYS[2]);
    const contract = new strict.eth.Contract(Reverter.abi, reverter.options.address);
    const nonce = await strict.eth.getTransactionCount(DEV_ADDRESSES[2]);
    await assert.rejects(
      contract.methods.revertWithMessage("mined and reverted").send({ from: DEV_ADDRESSES[2], gas: 50_000_000 }),
      (e) => {
        assert.equal(e.reason, "execution reverted: mined and reverted");
        assert.equal(e.signature, "0x08c379a0");
        assert.equal(e.receipt.status, 0n);
        assert.equal(e.receipt.logs.length, 0);
        return true;
      },
    );
    // The failed transaction was mined and used the nonce.
    assert.equal(await strict.eth.getTransactionCount(DEV_ADDRESSES[2]), nonce + 1n);
  });

  test("state written before a revert is rolled back", async () => {
    await reverter.methods.set(5).send({ from: wallet.address });
    assert.equal(await reverter.methods.value().call(), 5n);
    await assert.rejects(
      reverter.methods.setThenRevert(6).send({ from: wallet.address, gas: 50_000_000 }),
      (e) => e.receipt?.status === 0n,
    );
    assert.equal(await reverter.methods.value().call(), 5n);
  });
});

describe("WebSocket subscriptions", () => {
  test("contract events and new block headers arrive over eth_subscribe", async (t) => {
    const wsUrl = process.env.FEVM_WS_URL;
    assert.ok(wsUrl, "FEVM_WS_URL");
    const ws = new Web3(new Web3.providers.WebsocketProvider(wsUrl));
    t.after(() => ws.provider.disconnect());
    const [from] = await nodeWeb3.eth.getAccounts();
    const { contract } = await deploy(nodeWeb3, Counter, [], from);
    const live = new ws.eth.Contract(Counter.abi, contract.options.address);

    const headers = await ws.eth.subscribe("newBlockHeaders");
    const events = live.events.CountChanged({ filter: { by: from } });
    const within = (promise, what) =>
      Promise.race([
        promise,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000).unref()),
      ]);
    const nextHeader = within(new Promise((resolve) => headers.once("data", resolve)), "block header");
    const nextEvent = within(new Promise((resolve) => events.once("data", resolve)), "CountChanged event");
    // Let eth_subscribe for the logs reach the node before the transaction does.
    await within(new Promise((resolve) => events.once("connected", resolve)), "logs subscription");

    const receipt = await contract.methods.set(314).send({ from });
    const [header, event] = await Promise.all([nextHeader, nextEvent]);
    // Instant mining: the only block mined since subscribing is the one with the transaction.
    assert.equal(BigInt(header.number), receipt.blockNumber);
    assert.equal(header.hash, receipt.blockHash);
    assert.equal(event.transactionHash, receipt.transactionHash);
    same(event.returnValues.by, from);
    assert.equal(event.returnValues.oldValue, 0n);
    assert.equal(event.returnValues.newValue, 314n);
    await headers.unsubscribe();
    await events.unsubscribe();
  });
});
