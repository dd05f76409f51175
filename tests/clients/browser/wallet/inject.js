// The injected wallet: a MetaMask-like EIP-1193 provider, installed into every page before the
// page's own scripts run (`page.evaluateOnNewDocument`).
//
// This file is one function expression; the driver calls it with the wallet's config:
//   { rpcUrl, chainId, address, info: { uuid, name, icon, rdns } }
//
// What it does, as MetaMask does:
// - answers eth_requestAccounts / eth_accounts with its own account (the key stays in Node; the page
//   only ever sees the address), eth_chainId and net_version from its own network config;
// - eth_sendTransaction: suggests fees (latest block's baseFeePerGas, eth_feeHistory,
//   eth_maxPriorityFeePerGas), takes the pending nonce, estimates gas, checks the balance, has Node
//   sign a type-2 transaction, broadcasts it with eth_sendRawTransaction and polls
//   eth_getTransactionReceipt until it is mined;
// - personal_sign and eth_signTypedData_v4 are signed in Node; eth_sign and eth_signTransaction are
//   refused (MetaMask disables them);
// - every other method is forwarded to the node over HTTP (a cross-origin fetch, so the node's CORS
//   answers are exercised by a real browser);
// - EIP-1193 events (connect, accountsChanged, chainChanged, disconnect) and EIP-6963 announcement.
//
// Every request the wallet sends to the node is recorded, in order, with its origin ("wallet" for
// the wallet's own requests, "dapp" for forwarded ones). The driver reads the record from
// `window.__fevmWalletRecord` at the end of the run.
(function installFevmWallet(config) {
  "use strict";
  const { rpcUrl, chainId, address, info } = config;
  const chainIdHex = "0x" + chainId.toString(16);
  const account = address.toLowerCase();
  // Keep our own references, so a page that patches globals cannot intercept the wallet.
  const fetchFn = window.fetch.bind(window);
  const sign = (kind, payload) => window.__fevmWalletSign(kind, payload);

  const record = { nodeRequests: [], dappRequests: [], transactions: {}, events: [] };
  Object.defineProperty(window, "__fevmWalletRecord", { value: record, enumerable: false });

  class ProviderRpcError extends Error {
    constructor(code, message, data) {
      super(message);
      this.code = code;
      if (data !== undefined) this.data = data;
    }
  }
  const errors = {
    unauthorized: () => new ProviderRpcError(4100, "The requested account and/or method has not been authorized by the user."),
    unsupported: (method) => new ProviderRpcError(4200, `The wallet does not support ${method}.`),
    invalidParams: (message) => new ProviderRpcError(-32602, message),
  };

  // --- events -------------------------------------------------------------------------------
  const listeners = new Map();
  function on(event, listener) {
    if (!listeners.has(event)) listeners.set(event, []);
    listeners.get(event).push(listener);
    return provider;
  }
  function removeListener(event, listener) {
    const list = listeners.get(event) || [];
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    return provider;
  }
  function emit(event, value) {
    record.events.push({ event, value });
    for (const listener of [...(listeners.get(event) || [])]) {
      try {
        listener(value);
      } catch (e) {
        console.error(`wallet: ${event} listener threw`, e);
      }
    }
  }

  // --- the node -----------------------------------------------------------------------------
  let nextId = 0;
  async function rpc(method, params, origin) {
    const entry = { seq: record.nodeRequests.length + 1, origin, method, params };
    record.nodeRequests.push(entry);
    let body;
    try {
      const response = await fetchFn(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++nextId, method, params }),
      });
      const text = await response.text();
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
      }
    } catch (e) {
      entry.error = { code: -32603, message: String(e.message || e) };
      throw new ProviderRpcError(-32603, `wallet cannot reach the node: ${entry.error.message}`);
    }
    if (body.error) {
      entry.error = body.error;
      throw new ProviderRpcError(body.error.code, body.error.message, body.error.data);
    }
    entry.result = body.result;
    return body.result;
  }
  const walletRpc = (method, params = []) => rpc(method, params, "wallet");

  // --- accounts -----------------------------------------------------------------------------
  let authorized = false;
  function requireAccount(from) {
    if (!authorized) throw errors.unauthorized();
    if (from != null && String(from).toLowerCase() !== account) throw errors.unauthorized();
  }

  // --- transactions -------------------------------------------------------------------------
  const big = (v) => BigInt(v);
  const hex = (v) => "0x" + BigInt(v).toString(16);

  // Fee suggestion, MetaMask style: look at the latest block's base fee and the next one that
  // eth_feeHistory predicts, take the median of the recent blocks' middle-percentile tips, never
  // below what the node suggests, and leave room for the base fee to double.
  async function suggestFees() {
    const [latest, history, nodeTip] = await Promise.all([
      walletRpc("eth_getBlockByNumber", ["latest", false]),
      walletRpc("eth_feeHistory", ["0x5", "latest", [10, 20, 30]]),
      walletRpc("eth_maxPriorityFeePerGas", []),
    ]);
    if (!latest || latest.baseFeePerGas == null) throw new ProviderRpcError(-32603, "latest block has no baseFeePerGas (not an EIP-1559 chain?)");
    const bases = history.baseFeePerGas.map(big);
    if (bases.length !== (history.gasUsedRatio || []).length + 1) {
      throw new ProviderRpcError(-32603, "eth_feeHistory: baseFeePerGas must have one entry more than gasUsedRatio");
    }
    const tips = (history.reward || []).map((r) => big(r[1])).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const historyTip = tips.length ? tips[Math.floor(tips.length / 2)] : 0n;
    let priority = big(nodeTip);
    if (historyTip > priority) priority = historyTip;
    let base = big(latest.baseFeePerGas);
    const next = bases[bases.length - 1];
    if (next > base) base = next;
    return { maxPriorityFeePerGas: priority, maxFeePerGas: 2n * base + priority, baseFee: base };
  }

  let queue = Promise.resolve();
  let lastNonce = -1n;
  function sendTransaction(tx) {
    // One approval at a time, as in MetaMask; this also keeps the nonces in order.
    const run = queue.then(() => sendOne(tx));
    queue = run.catch(() => {});
    return run;
  }

  async function sendOne(tx) {
    if (!tx || typeof tx !== "object") throw errors.invalidParams("eth_sendTransaction expects a transaction object");
    requireAccount(tx.from ?? account);
    if (tx.chainId != null && big(tx.chainId) !== big(chainId)) {
      throw errors.invalidParams(`transaction chainId ${tx.chainId} does not match the wallet's ${chainIdHex}`);
    }
    const data = tx.data ?? tx.input ?? "0x";
    const value = tx.value != null ? big(tx.value) : 0n;
    const to = tx.to ? tx.to : null;
    const call = { from: address, data, value: hex(value) };
    if (to) call.to = to;

    const fees = await suggestFees();
    let maxFeePerGas = fees.maxFeePerGas;
    let maxPriorityFeePerGas = fees.maxPriorityFeePerGas;
    // A site's own fee suggestion wins, as MetaMask's "site suggested" setting.
    if (tx.maxFeePerGas != null) maxFeePerGas = big(tx.maxFeePerGas);
    if (tx.maxPriorityFeePerGas != null) maxPriorityFeePerGas = big(tx.maxPriorityFeePerGas);
    if (tx.gasPrice != null && tx.maxFeePerGas == null) {
      maxFeePerGas = big(tx.gasPrice);
      maxPriorityFeePerGas = big(tx.gasPrice);
    }
    if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;

    const pending = big(await walletRpc("eth_getTransactionCount", [address, "pending"]));
    let nonce = tx.nonce != null ? big(tx.nonce) : pending;
    if (tx.nonce == null && nonce <= lastNonce) nonce = lastNonce + 1n;

    // MetaMask estimates even when the site gave a gas limit: a failing estimate is its
    // "this transaction is likely to fail" warning. A headless user does not confirm that.
    const estimate = big(await walletRpc("eth_estimateGas", [call]));
    const gas = tx.gas ?? tx.gasLimit;
    const gasLimit = gas != null ? big(gas) : estimate;

    const balance = big(await walletRpc("eth_getBalance", [address, "latest"]));
    const worstCost = value + gasLimit * maxFeePerGas;
    if (balance < worstCost) {
      throw new ProviderRpcError(-32000, `insufficient funds: balance ${balance} < value + gas * maxFeePerGas = ${worstCost}`);
    }

    const request = {
      type: 2,
      chainId: hex(chainId),
      nonce: hex(nonce),
      to,
      value: hex(value),
      data,
      gasLimit: hex(gasLimit),
      maxFeePerGas: hex(maxFeePerGas),
      maxPriorityFeePerGas: hex(maxPriorityFeePerGas),
    };
    const signed = await sign("transaction", { from: address, tx: request });
    const hash = await walletRpc("eth_sendRawTransaction", [signed.raw]);
    if (typeof hash !== "string" || hash.toLowerCase() !== signed.hash.toLowerCase()) {
      throw new ProviderRpcError(-32603, `node returned transaction hash ${hash}, the signed transaction's hash is ${signed.hash}`);
    }
    lastNonce = nonce;
    const entry = { hash, nonce: Number(nonce), request, estimate: hex(estimate), status: "pending" };
    record.transactions[hash] = entry;
    trackReceipt(entry);
    return hash;
  }

  // The wallet's own receipt polling (MetaMask's pending-transaction tracker), independent of
  // whatever the dapp does to wait for its transaction.
  async function trackReceipt(entry) {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      let receipt = null;
      try {
        receipt = await walletRpc("eth_getTransactionReceipt", [entry.hash]);
      } catch (e) {
        entry.lastError = String(e.message || e);
      }
      if (receipt) {
        entry.status = receipt.status === "0x1" ? "confirmed" : "failed";
        entry.receipt = { status: receipt.status, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, effectiveGasPrice: receipt.effectiveGasPrice };
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    entry.status = "timeout";
  }

  // --- signing ------------------------------------------------------------------------------
  const isAddress = (v) => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);

  async function personalSign(params) {
    let [message, from] = params || [];
    // Some dapps send [address, message]; MetaMask accepts both orders.
    if (isAddress(message) && !isAddress(from)) [message, from] = [from, message];
    requireAccount(from);
    if (typeof message !== "string") throw errors.invalidParams("personal_sign expects a message string");
    return (await sign("personal_sign", { from: address, message })).signature;
  }

  async function signTypedDataV4(params) {
    const [from, typed] = params || [];
    requireAccount(from);
    const data = typeof typed === "string" ? JSON.parse(typed) : typed;
    if (!data || !data.domain || !data.types || !data.primaryType || !data.message) {
      throw errors.invalidParams("eth_signTypedData_v4 expects {domain, types, primaryType, message}");
    }
    if (data.domain.chainId != null && big(data.domain.chainId) !== big(chainId)) {
      throw errors.invalidParams(`typed data is for chain ${data.domain.chainId}, the wallet is on ${chainId}`);
    }
    return (await sign("typed_data", { from: address, data })).signature;
  }

  // --- EIP-1193 request -------------------------------------------------------------------
  async function handle(method, params) {
    switch (method) {
      case "eth_requestAccounts":
        if (!authorized) {
          authorized = true;
          emit("accountsChanged", [account]);
        }
        return [account];
      case "eth_accounts":
        return authorized ? [account] : [];
      case "eth_coinbase":
        return authorized ? account : null;
      case "eth_chainId":
        return chainIdHex;
      case "net_version":
        return String(chainId);
      case "wallet_requestPermissions":
        authorized = true;
        return [{ parentCapability: "eth_accounts" }];
      case "wallet_getPermissions":
        return authorized ? [{ parentCapability: "eth_accounts" }] : [];
      case "wallet_switchEthereumChain":
      case "wallet_addEthereumChain": {
        const wanted = params && params[0] && params[0].chainId;
        if (wanted != null && big(wanted) === big(chainId)) return null;
        throw new ProviderRpcError(4902, `Unrecognized chain ID ${wanted}. This wallet only knows ${chainIdHex}.`);
      }
      case "eth_sendTransaction":
        return sendTransaction(params && params[0]);
      case "personal_sign":
        return personalSign(params);
      case "eth_signTypedData_v4":
        return signTypedDataV4(params);
      case "eth_sign":
      case "eth_signTransaction":
      case "eth_signTypedData":
      case "eth_signTypedData_v3":
        throw errors.unsupported(method);
      default:
        return rpc(method, params ?? [], "dapp");
    }
  }

  async function request(args) {
    if (!args || typeof args !== "object" || typeof args.method !== "string") {
      throw errors.invalidParams("request expects {method: string, params?: array|object}");
    }
    const { method } = args;
    const params = args.params === undefined ? [] : args.params;
    const entry = { seq: record.dappRequests.length + 1, method };
    record.dappRequests.push(entry);
    try {
      const result = await handle(method, params);
      entry.ok = true;
      return result;
    } catch (e) {
      entry.error = { code: e.code, message: e.message };
      throw e;
    }
  }

  const provider = {
    isMetaMask: true,
    isFevmTestWallet: true,
    request,
    on,
    addListener: on,
    removeListener,
    off: removeListener,
    isConnected: () => true,
    enable: () => request({ method: "eth_requestAccounts" }),
    _metamask: { isUnlocked: async () => true },
  };
  Object.defineProperty(provider, "chainId", { get: () => chainIdHex, enumerable: true });
  Object.defineProperty(provider, "selectedAddress", { get: () => (authorized ? account : null), enumerable: true });
  Object.freeze(provider);
  Object.defineProperty(window, "ethereum", { value: provider, configurable: true, writable: false, enumerable: true });

  // EIP-6963: announce now and whenever a dapp asks.
  const detail = Object.freeze({ info: Object.freeze({ ...info }), provider });
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();

  // Like MetaMask, check the network once the page is up and say "connect" when it answers with
  // the chain the wallet is configured for.
  window.addEventListener("DOMContentLoaded", async () => {
    try {
      const nodeChainId = await walletRpc("eth_chainId", []);
      if (big(nodeChainId) !== big(chainId)) {
        emit("disconnect", new ProviderRpcError(4901, `node is on chain ${nodeChainId}, wallet expects ${chainIdHex}`));
        return;
      }
      emit("connect", { chainId: chainIdHex });
    } catch (e) {
      emit("disconnect", new ProviderRpcError(4900, `node unreachable: ${e.message}`));
    }
  });
})
