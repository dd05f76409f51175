// The wallet's Node side: the key, and the signing the injected provider asks for.
//
// The page only ever gets signatures back through `page.exposeFunction`; the private key never
// enters the browser. Every signing request is kept in `approvals` (what a MetaMask user would have
// been shown and clicked "Confirm" on), so the suite can show what was signed.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Transaction, TypedDataEncoder, Wallet, getBytes, isHexString } from "ethers";

const here = path.dirname(fileURLToPath(import.meta.url));

/** The injected provider's source: one function expression, called with the wallet config. */
export function injectionScript(config) {
  const source = readFileSync(path.join(here, "inject.js"), "utf8").trim().replace(/;$/, "");
  return `(${source})(${JSON.stringify(config)});`;
}

/**
 * A wallet holding `privateKey` for chain `chainId`.
 * `sign(kind, payload)` is what the page calls; it throws on anything it would not sign.
 */
export function createWalletBackend({ privateKey, chainId }) {
  const wallet = new Wallet(privateKey);
  const approvals = [];

  function checkFrom(from) {
    if (!from || from.toLowerCase() !== wallet.address.toLowerCase()) {
      throw new Error(`wallet: asked to sign for ${from}, holds only ${wallet.address}`);
    }
  }

  async function sign(kind, payload) {
    checkFrom(payload?.from);
    switch (kind) {
      case "transaction": {
        const req = payload.tx;
        if (req.type !== 2) throw new Error(`wallet: only signs type-2 transactions, got type ${req.type}`);
        if (BigInt(req.chainId) !== BigInt(chainId)) throw new Error(`wallet: chain id ${req.chainId} is not ${chainId}`);
        const tx = Transaction.from({
          type: 2,
          chainId: BigInt(req.chainId),
          nonce: Number(BigInt(req.nonce)),
          to: req.to ?? null,
          value: BigInt(req.value),
          data: req.data,
          gasLimit: BigInt(req.gasLimit),
          maxFeePerGas: BigInt(req.maxFeePerGas),
          maxPriorityFeePerGas: BigInt(req.maxPriorityFeePerGas),
        });
        const raw = await wallet.signTransaction(tx);
        const hash = Transaction.from(raw).hash;
        approvals.push({ kind, request: req, hash });
        return { raw, hash };
      }
      case "personal_sign": {
        // personal_sign carries hex-encoded bytes; a plain string is signed as its UTF-8 text.
        const message = isHexString(payload.message) ? getBytes(payload.message) : payload.message;
        const signature = await wallet.signMessage(message);
        approvals.push({ kind, message: payload.message, signature });
        return { signature };
      }
      case "typed_data": {
        const { domain, types, message } = payload.data;
        const { EIP712Domain: _domainType, ...rest } = types;
        const primaryType = TypedDataEncoder.from(rest).primaryType;
        if (primaryType !== payload.data.primaryType) {
          throw new Error(`wallet: typed data says primaryType ${payload.data.primaryType}, its types say ${primaryType}`);
        }
        const signature = await wallet.signTypedData(domain, rest, message);
        approvals.push({ kind, data: payload.data, signature });
        return { signature };
      }
      default:
        throw new Error(`wallet: unknown signing request ${kind}`);
    }
  }

  return { address: wallet.address, sign, approvals };
}
