// The dapp: finds the wallet (EIP-6963, else window.ethereum), and drives a Counter contract and a
// FIL transfer through it. It mixes what real dapps do: ethers' BrowserProvider and Contract for the
// contract, plain `ethereum.request` calls for the transfer. It never knows the node's URL: every
// request goes through the wallet.
/* global ethers */
"use strict";

const $ = (id) => document.getElementById(id);
const show = (id, text, data = {}) => {
  const el = $(id);
  el.textContent = text;
  for (const [k, v] of Object.entries(data)) el.dataset[k] = v;
};

// --- find the wallet ------------------------------------------------------------------------
const announced = [];
window.addEventListener("eip6963:announceProvider", (event) => announced.push(event.detail));
window.dispatchEvent(new Event("eip6963:requestProvider"));

let ethereum = null;
if (announced.length) {
  ethereum = announced[0].provider;
  show("wallet-name", `${announced[0].info.name} (${announced[0].info.rdns})`);
  show("wallet-source", "EIP-6963");
} else if (window.ethereum) {
  ethereum = window.ethereum;
  show("wallet-name", window.ethereum.isMetaMask ? "MetaMask-compatible" : "unknown");
  show("wallet-source", "window.ethereum");
} else {
  show("wallet-name", "no wallet found");
}

if (ethereum) {
  ethereum.on("connect", (info) => show("connect-event", `chainId ${info.chainId}`, { chainId: info.chainId }));
  ethereum.on("accountsChanged", (accounts) => show("accounts-event", accounts.join(", ")));
  ethereum.on("chainChanged", () => window.location.reload());
}

const provider = ethereum ? new ethers.BrowserProvider(ethereum, undefined, { pollingInterval: 200 }) : null;
let signer = null;
let account = null;
let counter = null;
let artifact = null;

// --- helpers --------------------------------------------------------------------------------
async function refreshBalance() {
  const wei = await provider.getBalance(account);
  show("balance", `${ethers.formatEther(wei)} FIL`, { wei: wei.toString() });
  show("block-number", String(await provider.getBlockNumber()));
}

function showReceipt(label, receipt) {
  const status = Number(receipt.status);
  let dd = $(`receipt-${label}`);
  if (!dd) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    dd = document.createElement("dd");
    dd.id = `receipt-${label}`;
    $("receipts").append(dt, dd);
  }
  const wait = waits[label] ?? "receipt-poll";
  dd.textContent = `status ${status} · block ${Number(receipt.blockNumber)} · gas used ${BigInt(receipt.gasUsed)} · ${wait} · ${receipt.hash ?? receipt.transactionHash}`;
  dd.dataset.status = String(status);
  dd.dataset.wait = wait;
  dd.className = status === 1 ? "ok" : "";
  if (status !== 1) throw new Error(`${label}: transaction reverted (status ${status})`);
}

// Wait for a transaction sent through ethers. ethers v6's `tx.wait()` can miss a transaction that
// is mined right after its first receipt check (that answer is cached for 250 ms): it then waits
// for the *next* block, and with instant mining no next block comes. So give `tx.wait()` a
// bounded time, then poll the receipt directly, and say on the page which of the two it took
// (data-wait on the receipt line), so the suite can report the hang instead of hiding it.
const waits = {};
async function mined(tx, label) {
  try {
    const receipt = await tx.wait(1, 2_000);
    waits[label] = "tx.wait";
    return receipt;
  } catch (e) {
    if (!ethers.isError(e, "TIMEOUT")) throw e;
  }
  waits[label] = "receipt-poll";
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const receipt = await provider.getTransactionReceipt(tx.hash);
    if (receipt) return receipt;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${label}: no receipt for ${tx.hash} after 30 s`);
}

function requireCounter() {
  if (!counter) throw new Error("deploy the Counter first");
  return counter;
}

// Every button: data-state busy → done | error, and the error text under "Receipts".
function bind(id, action) {
  const button = $(id);
  button.addEventListener("click", async () => {
    button.dataset.state = "busy";
    try {
      if (!provider) throw new Error("no wallet");
      await action();
      button.dataset.state = "done";
    } catch (e) {
      button.dataset.state = "error";
      $("error").textContent += `${id}: ${e.shortMessage || e.message}\n`;
      console.error(id, e);
    }
  });
}

// --- actions --------------------------------------------------------------------------------
bind("connect", async () => {
  const accounts = await ethereum.request({ method: "eth_requestAccounts" });
  account = ethers.getAddress(accounts[0]);
  signer = await provider.getSigner(account);
  const chainId = await ethereum.request({ method: "eth_chainId" });
  show("account", account);
  show("chain-id", `${Number(chainId)} (${chainId})`, { chainId: String(Number(chainId)) });
  await refreshBalance();
});

bind("deploy", async () => {
  artifact ??= await (await fetch("/artifacts/Counter.json")).json();
  const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode.object, signer);
  const contract = await factory.deploy();
  const tx = contract.deploymentTransaction();
  show("deploy-tx", tx.hash);
  const receipt = await mined(tx, "deploy");
  showReceipt("deploy", receipt);
  counter = contract.connect(signer);
  show("counter-address", receipt.contractAddress, { address: receipt.contractAddress });
  show("counter-value", String(await counter.get()));
  await refreshBalance();
});

bind("increment", async () => {
  const tx = await requireCounter().increment();
  show("increment-tx", tx.hash);
  const receipt = await mined(tx, "increment");
  showReceipt("increment", receipt);
  const event = receipt.logs.map((log) => counter.interface.parseLog(log)).find((e) => e && e.name === "CountChanged");
  if (!event) throw new Error("increment: no CountChanged event in the receipt");
  show("increment-event", `by ${event.args.by} · ${event.args.oldValue} → ${event.args.newValue}`, {
    by: event.args.by,
    oldValue: String(event.args.oldValue),
    newValue: String(event.args.newValue),
  });
  show("counter-value", String(await counter.get()));
  await refreshBalance();
});

bind("set", async () => {
  const value = BigInt($("set-value").value);
  const tx = await requireCounter().set(value);
  show("set-tx", tx.hash);
  showReceipt("set", await mined(tx, "set"));
  await refreshBalance();
});

bind("read", async () => {
  const value = await requireCounter().get();
  show("counter-value", String(value), { value: String(value) });
});

// The transfer uses plain EIP-1193 requests, as a dapp without a library would.
bind("send", async () => {
  const to = ethers.getAddress($("recipient").value.trim());
  const value = ethers.parseEther($("amount").value.trim());
  const balanceOf = async (who) => BigInt(await ethereum.request({ method: "eth_getBalance", params: [who, "latest"] }));
  const before = await balanceOf(to);
  show("recipient-before", `${ethers.formatEther(before)} FIL`, { wei: before.toString() });
  const hash = await ethereum.request({
    method: "eth_sendTransaction",
    params: [{ from: account, to, value: ethers.toQuantity(value) }],
  });
  show("send-tx", hash);
  let receipt = null;
  for (const deadline = Date.now() + 30_000; !receipt && Date.now() < deadline; ) {
    receipt = await ethereum.request({ method: "eth_getTransactionReceipt", params: [hash] });
    if (!receipt) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!receipt) throw new Error(`send: no receipt for ${hash} after 30 s`);
  showReceipt("send", receipt);
  const after = await balanceOf(to);
  show("recipient-after", `${ethers.formatEther(after)} FIL`, { wei: after.toString() });
  await refreshBalance();
});

bind("sign", async () => {
  const message = $("message").value;
  const signature = await signer.signMessage(message);
  show("signature", signature);
  show("recovered", ethers.verifyMessage(message, signature));
});

bind("sign-typed", async () => {
  const chainId = Number(await ethereum.request({ method: "eth_chainId" }));
  const typed = {
    domain: { name: "fevm counter dapp", version: "1", chainId, verifyingContract: await requireCounter().getAddress() },
    types: { Greeting: [{ name: "text", type: "string" }, { name: "count", type: "uint256" }] },
    value: { text: $("message").value, count: String(await counter.get()) },
  };
  const signature = await signer.signTypedData(typed.domain, typed.types, typed.value);
  show("typed-data", JSON.stringify(typed));
  show("typed-signature", signature);
  show("typed-recovered", ethers.verifyTypedData(typed.domain, typed.types, typed.value, signature));
});
