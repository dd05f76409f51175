// Browser end-to-end: a dapp page in headless Chromium, a MetaMask-like injected wallet, a real
// fevm behind it.
//
//   page (dapp.js, ethers BrowserProvider)  ──EIP-1193──▶  injected wallet (wallet/inject.js)
//        │                                                  │  fetch, cross-origin ──▶ fevm
//        └── served by a node:http server on 127.0.0.1:0    └─ exposeFunction ──▶ key in Node
//
// The test clicks through the page as a person would (connect, deploy Counter, increment, set,
// read, send FIL, sign), checks what the page shows against the node, and saves the wallet's
// method log, the node's method log and a screenshot in tests/clients/out/browser/.
import assert from "node:assert/strict";
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import test from "node:test";
import { fileURLToPath } from "node:url";
import { Interface, Wallet, formatEther, getAddress, verifyMessage, verifyTypedData } from "ethers";
import puppeteer from "puppeteer-core";
import { CHAIN_ID, DEV_ADDRESSES, DEV_KEYS, clientsDir, formatMethods, outDir, repoRoot, startFevm } from "../lib/fevm.mjs";
import { createWalletBackend, injectionScript } from "./wallet/backend.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const SUITE = "browser";
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
// On this closed network Chromium must not try to reach Google: no background networking, no
// component updates, no sync, no QUIC; a fresh profile every run.
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--window-size=1280,1000",
];
const SET_VALUE = 1234n;
const SEND_FIL = "1.5";
const SEND_WEI = 1_500_000_000_000_000_000n;
const MESSAGE = "Sign in to the fevm counter dapp (nonce 7)";
// Methods that must never reach the node: the wallet answers or signs them itself.
const LOCAL_ONLY = ["eth_sendTransaction", "personal_sign", "eth_signTypedData_v4", "eth_accounts", "eth_requestAccounts", "eth_sign"];

/** Serve the dapp, the ethers browser bundle and the Counter artifact on 127.0.0.1:0. */
async function serveDapp() {
  const files = {
    "/": [path.join(here, "dapp", "index.html"), "text/html; charset=utf-8"],
    "/dapp.js": [path.join(here, "dapp", "dapp.js"), "text/javascript; charset=utf-8"],
    "/vendor/ethers.umd.min.js": [path.join(clientsDir, "node_modules", "ethers", "dist", "ethers.umd.min.js"), "text/javascript; charset=utf-8"],
    "/artifacts/Counter.json": [path.join(repoRoot, "solidity-fixtures", "artifacts", "Counter.json"), "application/json"],
  };
  for (const [file] of Object.values(files)) assert.ok(existsSync(file), `missing ${file}`);
  const served = [];
  const server = http.createServer((req, res) => {
    const route = files[new URL(req.url, "http://x").pathname];
    served.push(`${req.method} ${req.url} ${route ? 200 : 404}`);
    if (!route || req.method !== "GET") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": route[1], "cache-control": "no-store" });
    createReadStream(route[0]).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    served,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A direct JSON-RPC call from the test to the node, to check what the page shows. */
async function nodeRpc(url, method, params = []) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

test("dapp in headless Chromium with a MetaMask-like injected wallet", { timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}; run tests/clients/browser/install.sh or set CHROMIUM_BIN`);
  const out = outDir(SUITE);
  // Clean-ups run last-registered first (the browser closes before its profile is deleted).
  const cleanups = [];
  const defer = (fn) => cleanups.push(fn);
  t.after(async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        console.error(`[browser] clean-up failed: ${e.stack || e}`);
      }
    }
  });
  const node = await startFevm({ name: SUITE });
  defer(async () => {
    await node.stop();
    writeFileSync(path.join(out, "methods.txt"), formatMethods(node.methods()) + "\n");
  });
  const rpc = (method, params) => nodeRpc(node.url, method, params);

  const site = await serveDapp();
  defer(site.close);

  const userDataDir = mkdtempSync(path.join(os.tmpdir(), "fevm-chromium-"));
  defer(() => rmSync(userDataDir, { recursive: true, force: true }));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    // Debian's chromium-headless-shell (CHROMIUM_BIN may point at one) is the old headless mode.
    headless: path.basename(CHROMIUM).includes("headless-shell") ? "shell" : true,
    userDataDir,
    args: CHROMIUM_FLAGS,
    defaultViewport: { width: 1280, height: 1000 },
  });
  defer(() => browser.close());
  console.log(`[browser] ${await browser.version()}, fevm pid ${node.pid} at ${node.url}, dapp at ${site.url}`);

  // The wallet: key in Node, provider injected before the page's scripts.
  const backend = createWalletBackend({ privateKey: DEV_KEYS[1], chainId: CHAIN_ID });
  assert.equal(backend.address, DEV_ADDRESSES[1]);
  const page = await browser.newPage();
  await page.exposeFunction("__fevmWalletSign", backend.sign);
  await page.evaluateOnNewDocument(
    injectionScript({
      rpcUrl: node.url,
      chainId: CHAIN_ID,
      address: backend.address,
      info: { uuid: "5f0c3f5e-3d1c-4a57-9a0e-0f3e5e0c1a11", name: "fevm test wallet", icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E", rdns: "dev.fevm.testwallet" },
    }),
  );

  const consoleLines = [];
  const pageErrors = [];
  const requestedUrls = [];
  page.on("console", (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  page.on("request", (req) => requestedUrls.push(req.url()));

  // Whatever happens, keep the evidence: the wallet's logs, the console and a screenshot.
  let record = null;
  defer(async () => {
    try {
      record ??= await page.evaluate(() => window.__fevmWalletRecord);
    } catch {}
    if (record) {
      const lines = record.nodeRequests.map(
        (r) => `${String(r.seq).padStart(3)} ${r.origin.padEnd(6)} ${r.method}${r.method === "eth_getTransactionCount" ? ` (${r.params[1]})` : ""}${r.error ? `  ERROR ${JSON.stringify(r.error)}` : ""}`,
      );
      writeFileSync(path.join(out, "wallet-methods.txt"), lines.join("\n") + "\n");
      writeFileSync(path.join(out, "wallet-log.json"), JSON.stringify({ ...record, approvals: backend.approvals }, null, 2) + "\n");
    }
    writeFileSync(path.join(out, "console.log"), [...consoleLines, ...pageErrors.map((e) => `pageerror: ${e}`)].join("\n") + "\n");
    writeFileSync(path.join(out, "dapp-server.log"), site.served.join("\n") + "\n");
    try {
      await page.screenshot({ path: path.join(out, "screenshot.png"), fullPage: true });
    } catch (e) {
      console.error(`[browser] screenshot failed: ${e.message}`);
    }
  });

  // Click a button and wait until the page says it is done (or failed).
  async function click(id) {
    await page.click(`#${id}`);
    const handle = await page.waitForFunction(
      (id) => {
        const state = document.getElementById(id).dataset.state;
        return state === "done" || state === "error" ? state : false;
      },
      { timeout: 30_000, polling: 50 },
      id,
    );
    if ((await handle.jsonValue()) === "error") {
      throw new Error(`#${id} failed in the page: ${await page.$eval("#error", (e) => e.textContent)}`);
    }
  }
  const text = (id) => page.$eval(`#${id}`, (e) => e.textContent.trim());
  const data = (id, key) => page.$eval(`#${id}`, (e, key) => e.dataset[key], key);
  async function typeInto(id, value) {
    await page.click(`#${id}`, { clickCount: 3 });
    await page.keyboard.press("Backspace");
    await page.type(`#${id}`, value);
  }

  // Steps depend on each other: after the first failure the rest are skipped.
  let failed = false;
  const step = (name, fn) =>
    t.test(name, { skip: failed && "an earlier step failed" }, async (ctx) => {
      try {
        await fn(ctx);
      } catch (e) {
        failed = true;
        throw e;
      }
    });

  await step("the page finds the wallet and the wallet reaches the node", async () => {
    await page.goto(site.url, { waitUntil: "load" });
    assert.equal(await text("wallet-source"), "EIP-6963");
    assert.equal(await text("wallet-name"), "fevm test wallet (dev.fevm.testwallet)");
    assert.equal(await page.evaluate(() => window.ethereum.isMetaMask), true);
    await page.waitForSelector("#connect-event[data-chain-id]", { timeout: 10_000 });
    assert.equal(await data("connect-event", "chainId"), "0x" + CHAIN_ID.toString(16));
    // Before connecting, the wallet hands out no account.
    assert.deepEqual(await page.evaluate(() => window.ethereum.request({ method: "eth_accounts" })), []);
  });

  await step("connect: account, chain id and balance in the DOM", async () => {
    await click("connect");
    assert.equal(await text("account"), backend.address);
    assert.equal(await text("accounts-event"), backend.address.toLowerCase());
    assert.equal(await data("chain-id", "chainId"), String(CHAIN_ID));
    assert.equal(await text("chain-id"), `${CHAIN_ID} (0x${CHAIN_ID.toString(16)})`);
    const balance = BigInt(await rpc("eth_getBalance", [backend.address, "latest"]));
    assert.equal(BigInt(await data("balance", "wei")), balance);
    assert.equal(await text("balance"), `${formatEther(balance)} FIL`);
    assert.equal(balance, 10_000n * 10n ** 18n, "a fresh dev account holds 10,000 FIL");

    // MetaMask's refusals, answered by the wallet without asking the node.
    const rejection = (args) =>
      page.evaluate((args) => window.ethereum.request(args).then(
        (result) => ({ result }),
        (e) => ({ code: e.code, message: e.message }),
      ), args);
    assert.equal((await rejection({ method: "eth_sign", params: [backend.address, "0x00"] })).code, 4200);
    const foreign = await rejection({ method: "eth_sendTransaction", params: [{ from: DEV_ADDRESSES[0], to: DEV_ADDRESSES[2], value: "0x1" }] });
    assert.equal(foreign.code, 4100, "sending from an account the wallet does not hold");
    const chainHex = "0x" + CHAIN_ID.toString(16);
    assert.deepEqual(await rejection({ method: "wallet_switchEthereumChain", params: [{ chainId: chainHex }] }), { result: null });
    assert.equal((await rejection({ method: "wallet_switchEthereumChain", params: [{ chainId: "0x1" }] })).code, 4902);
  });

  let counterAddress;
  await step("deploy Counter", async () => {
    await click("deploy");
    assert.equal(await data("receipt-deploy", "status"), "1");
    counterAddress = getAddress(await data("counter-address", "address"));
    const code = await rpc("eth_getCode", [counterAddress, "latest"]);
    assert.ok(code.length > 2, `no code at ${counterAddress}`);
    const receipt = await rpc("eth_getTransactionReceipt", [await text("deploy-tx")]);
    assert.equal(receipt.status, "0x1");
    assert.equal(getAddress(receipt.from), backend.address);
    assert.equal(getAddress(receipt.contractAddress), counterAddress);
    assert.equal(await text("counter-value"), "0");
  });

  await step("increment: receipt and CountChanged event", async () => {
    await click("increment");
    assert.equal(await data("receipt-increment", "status"), "1");
    assert.equal(getAddress(await data("increment-event", "by")), backend.address);
    assert.equal(await data("increment-event", "oldValue"), "0");
    assert.equal(await data("increment-event", "newValue"), "1");
    assert.equal(await text("counter-value"), "1");
  });

  await step("set a typed-in value and read it back", async () => {
    await typeInto("set-value", SET_VALUE.toString());
    await click("set");
    assert.equal(await data("receipt-set", "status"), "1");
    assert.equal((await rpc("eth_getTransactionReceipt", [await text("set-tx")])).status, "0x1");
    await click("read");
    assert.equal(await data("counter-value", "value"), SET_VALUE.toString());
    // The same value straight from the node.
    const iface = new Interface(["function get() view returns (uint256)"]);
    const raw = await rpc("eth_call", [{ to: counterAddress, data: iface.encodeFunctionData("get") }, "latest"]);
    assert.equal(iface.decodeFunctionResult("get", raw)[0], SET_VALUE);
  });

  await step("send FIL to a fresh address", async () => {
    const recipient = Wallet.createRandom().address;
    const before = BigInt(await rpc("eth_getBalance", [recipient, "latest"]));
    await typeInto("recipient", recipient);
    await typeInto("amount", SEND_FIL);
    await click("send");
    assert.equal(await data("receipt-send", "status"), "1");
    const receipt = await rpc("eth_getTransactionReceipt", [await text("send-tx")]);
    assert.equal(receipt.status, "0x1");
    assert.equal(getAddress(receipt.to), recipient);
    const after = BigInt(await rpc("eth_getBalance", [recipient, "latest"]));
    assert.equal(after - before, SEND_WEI);
    assert.equal(BigInt(await data("recipient-before", "wei")), before);
    assert.equal(BigInt(await data("recipient-after", "wei")), after);
    const tx = await rpc("eth_getTransactionByHash", [receipt.transactionHash]);
    assert.equal(tx.type, "0x2", "the wallet signs EIP-1559 transactions");
    assert.equal(BigInt(tx.value), SEND_WEI);
  });

  await step("personal_sign recovers to the wallet account", async () => {
    await typeInto("message", MESSAGE);
    await click("sign");
    const signature = await text("signature");
    assert.match(signature, /^0x[0-9a-f]{130}$/);
    assert.equal(verifyMessage(MESSAGE, signature), backend.address);
    assert.equal(await text("recovered"), backend.address);
  });

  await step("eth_signTypedData_v4 recovers to the wallet account", async () => {
    await click("sign-typed");
    const typed = JSON.parse(await text("typed-data"));
    assert.equal(typed.domain.chainId, CHAIN_ID);
    assert.equal(typed.value.count, SET_VALUE.toString());
    assert.equal(verifyTypedData(typed.domain, typed.types, typed.value, await text("typed-signature")), backend.address);
    assert.equal(await text("typed-recovered"), backend.address);
  });

  await step("final balance in the DOM matches eth_getBalance", async () => {
    const balance = BigInt(await rpc("eth_getBalance", [backend.address, "latest"]));
    assert.equal(BigInt(await data("balance", "wei")), balance);
    assert.equal(await text("balance"), `${formatEther(balance)} FIL`);
    // What a wallet shows as "fee paid" (gasUsed × effectiveGasPrice, per receipt) accounts for the
    // whole balance change. On Filecoin effectiveGasPrice is the total gas cost (base fee burn, tip,
    // over-estimation burn) divided by gasUsed, rounded down: each receipt may hide < gasUsed.
    const hashes = ["deploy-tx", "increment-tx", "set-tx", "send-tx"];
    let fees = 0n;
    let slack = 0n;
    for (const id of hashes) {
      const receipt = await rpc("eth_getTransactionReceipt", [await text(id)]);
      fees += BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice);
      slack += BigInt(receipt.gasUsed);
    }
    const spent = 10_000n * 10n ** 18n - balance;
    const unexplained = spent - SEND_WEI - fees;
    assert.ok(unexplained >= 0n && unexplained < slack, `spent ${spent} = ${SEND_WEI} sent + ${fees} fees + ${unexplained} (allowed 0 ≤ x < ${slack})`);
  });

  await step("the wallet behaved like MetaMask", async () => {
    // The wallet's own receipt tracker saw every transaction confirmed.
    await page.waitForFunction(
      () => Object.values(window.__fevmWalletRecord.transactions).every((tx) => tx.status !== "pending"),
      { timeout: 10_000, polling: 50 },
    );
    record = await page.evaluate(() => window.__fevmWalletRecord);
    const txs = Object.values(record.transactions);
    assert.equal(txs.length, 4, "deploy, increment, set, send");
    for (const tx of txs) {
      assert.equal(tx.status, "confirmed", `${tx.hash}: ${JSON.stringify(tx)}`);
      assert.equal(tx.receipt.status, "0x1");
    }
    assert.deepEqual(txs.map((tx) => tx.nonce), [0, 1, 2, 3]);
    // ethers in the page sends a gas limit; the plain-request transfer leaves it to the wallet,
    // which then uses its own eth_estimateGas.
    const transfer = txs[3];
    assert.equal(transfer.request.gasLimit, transfer.estimate);
    assert.equal(BigInt(transfer.request.value), SEND_WEI);
    assert.equal(backend.approvals.filter((a) => a.kind === "transaction").length, 4);

    const requests = record.nodeRequests;
    const methods = requests.map((r) => r.method);
    for (const m of ["eth_feeHistory", "eth_maxPriorityFeePerGas", "eth_getBlockByNumber", "eth_estimateGas", "eth_sendRawTransaction", "eth_getTransactionReceipt"]) {
      assert.ok(methods.includes(m), `wallet never sent ${m}`);
    }
    const nonceQueries = requests.filter((r) => r.method === "eth_getTransactionCount" && r.origin === "wallet");
    assert.equal(nonceQueries.length, 4);
    for (const q of nonceQueries) assert.equal(q.params[1], "pending");
    // Per transaction, in MetaMask's order: fees, pending nonce, gas, broadcast, receipt.
    const walletOnly = requests.filter((r) => r.origin === "wallet").map((r) => r.method);
    let from = 0;
    for (let i = 0; i < 4; i++) {
      for (const m of ["eth_feeHistory", "eth_getTransactionCount", "eth_estimateGas", "eth_sendRawTransaction", "eth_getTransactionReceipt"]) {
        const at = walletOnly.indexOf(m, from);
        assert.ok(at >= 0, `transaction ${i + 1}: no ${m} after position ${from} in ${walletOnly.join(",")}`);
        from = at + 1;
      }
    }
    assert.deepEqual(requests.filter((r) => r.error), [], "no node request failed");
    for (const m of LOCAL_ONLY) assert.ok(!methods.includes(m), `${m} was sent to the node`);
  });

  await step("the node saw the same methods, and never a signing request", async () => {
    assert.deepEqual(pageErrors, []);
    for (const url of requestedUrls) {
      const { hostname, protocol } = new URL(url);
      if (protocol === "data:") continue;
      assert.equal(hostname, "127.0.0.1", `the page requested ${url}`);
    }
    const received = node.methods();
    for (const m of new Set(record.nodeRequests.map((r) => r.method))) assert.ok(received.has(m), `fevm never logged ${m}`);
    for (const m of LOCAL_ONLY) assert.ok(!received.has(m), `fevm received ${m}`);
  });

  await step("ethers tx.wait() resolves on instant mining", async (ctx) => {
    // See `mined()` in dapp.js: ethers v6 waits forever for a transaction that was mined just
    // after its first receipt check (it then waits for a later block, which instant mining never
    // makes). fevm's sends return only once the transaction is mined, so tx.wait() must resolve
    // every time; the page's fallback (polling after 2 s) only keeps a regression from hanging.
    const waits = {};
    for (const label of ["deploy", "increment", "set"]) waits[label] = await data(`receipt-${label}`, "wait");
    const hung = Object.entries(waits).filter(([, how]) => how !== "tx.wait").map(([label]) => label);
    writeFileSync(path.join(out, "ethers-wait.txt"), Object.entries(waits).map(([l, how]) => `${l} ${how}`).join("\n") + "\n");
    if (hung.length) {
      const note = `ethers tx.wait() did not resolve within 2 s for: ${hung.join(", ")} (mined, no later block); the page polled the receipt instead`;
      ctx.diagnostic(note);
      console.warn(`[browser] WARNING: ${note}`);
    }
    assert.deepEqual(hung, [], "ethers tx.wait() must resolve by itself");
  });
});
