//! `eth_getTransactionByHash`, `…ByBlockHashAndIndex`, `…ByBlockNumberAndIndex`, for mined,
//! pending and unknown transactions of every accepted type.

use alloy_consensus::{SignableTransaction, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, hex};
use alloy_rpc_types_eth::Transaction;
use alloy_signer::SignerSync;
use serde_json::{Value, json};

use super::{
    CHAIN_ID, FEE_CAP, GAS, Scenario, TIP, eip1559, from_json, key, mine, qty, send_raw, tipset,
    transfer,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mined_transactions_are_the_signed_ones_with_block_fields() {
    let s = Scenario::build().await;
    let net = &s.net;
    let block = tipset(net, 1);

    let tx = net.call("eth_getTransactionByHash", json!([s.deploy])).await;
    assert_eq!(tx["type"], "0x2");
    assert_eq!(tx["hash"], json!(s.deploy));
    assert_eq!(tx["chainId"], qty(CHAIN_ID));
    assert_eq!(tx["nonce"], "0x0");
    assert_eq!(tx["to"], Value::Null);
    assert_eq!(from_json::<Address>(tx["from"].clone()), s.accounts[0]);
    assert_eq!(tx["gas"], qty(GAS));
    assert_eq!(tx["maxFeePerGas"], qty(FEE_CAP));
    assert_eq!(tx["maxPriorityFeePerGas"], qty(TIP));
    assert_eq!(tx["accessList"], json!([]));
    assert_eq!(tx["blockHash"], json!(block.hash));
    assert_eq!(tx["blockNumber"], "0x1");
    assert_eq!(tx["transactionIndex"], "0x0");
    // The mined gas price is the effective one, as in the receipt.
    let receipt = net.call("eth_getTransactionReceipt", json!([s.deploy])).await;
    assert_eq!(tx["gasPrice"], receipt["effectiveGasPrice"]);

    // Decoded with alloy, it re-encodes to exactly the bytes that were sent (signature, input,
    // every field).
    let decoded: Transaction = from_json(tx.clone());
    assert_eq!(decoded.inner.inner().encoded_2718(), s.deploy_raw);
    assert_eq!(decoded.inner.signer(), s.accounts[0]);

    // By block and index.
    let second = net.call("eth_getTransactionByHash", json!([s.transfer1])).await;
    assert_eq!(second["to"], json!(s.token));
    assert_eq!(second["transactionIndex"], "0x1");
    let by_hash_index =
        net.call("eth_getTransactionByBlockHashAndIndex", json!([block.hash, "0x1"])).await;
    assert_eq!(by_hash_index, second);
    let by_number_index =
        net.call("eth_getTransactionByBlockNumberAndIndex", json!(["0x1", "0x1"])).await;
    assert_eq!(by_number_index, second);
    let first = net.call("eth_getTransactionByBlockNumberAndIndex", json!(["0x1", "0x0"])).await;
    assert_eq!(first, tx);

    // Out of range, unknown block, unknown hash: null.
    for (method, params) in [
        ("eth_getTransactionByBlockNumberAndIndex", json!(["0x1", "0x2"])),
        ("eth_getTransactionByBlockNumberAndIndex", json!(["0x0", "0x0"])),
        ("eth_getTransactionByBlockNumberAndIndex", json!(["0x63", "0x0"])),
        ("eth_getTransactionByBlockHashAndIndex", json!([block.hash, "0x7"])),
        ("eth_getTransactionByBlockHashAndIndex", json!([B256::repeat_byte(1), "0x0"])),
        ("eth_getTransactionByHash", json!([B256::repeat_byte(2)])),
    ] {
        assert_eq!(net.call(method, params.clone()).await, Value::Null, "{method} {params}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_transactions_have_no_block_and_no_receipt() {
    let s = Scenario::build().await;
    let net = &s.net;
    let k0 = key(net, 0);
    let raw = eip1559(&k0, 3, Some(s.token), transfer(s.accounts[1], 1));
    let hash = send_raw(net, &raw).await;

    let tx = net.call("eth_getTransactionByHash", json!([hash])).await;
    assert_eq!(tx["hash"], json!(hash));
    assert_eq!(tx["nonce"], "0x3");
    assert_eq!(tx["blockHash"], Value::Null);
    assert_eq!(tx["blockNumber"], Value::Null);
    assert_eq!(tx["transactionIndex"], Value::Null);
    // Pending EIP-1559: `gasPrice` is the fee cap (Geth).
    assert_eq!(tx["gasPrice"], qty(FEE_CAP));
    let decoded: Transaction = from_json(tx);
    assert_eq!(decoded.inner.inner().encoded_2718(), raw);
    assert_eq!(net.call("eth_getTransactionReceipt", json!([hash])).await, Value::Null);

    let ts = mine(net);
    let tx = net.call("eth_getTransactionByHash", json!([hash])).await;
    assert_eq!(tx["blockHash"], json!(ts.hash));
    assert_eq!(tx["blockNumber"], qty(3u64));
    let receipt = net.call("eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["status"], "0x1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_transactions_keep_their_type_and_v() {
    let s = Scenario::build().await;
    let net = &s.net;
    let k2 = key(net, 2);
    let sign_legacy = |nonce: u64, chain_id: Option<u64>| {
        let tx = TxLegacy {
            chain_id,
            nonce,
            gas_price: FEE_CAP,
            gas_limit: GAS,
            to: TxKind::Call(s.accounts[0]),
            value: U256::from(7u64),
            input: Bytes::new(),
        };
        let signature = k2.sign_hash_sync(&tx.signature_hash()).expect("signs");
        TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
    };
    let eip155 = sign_legacy(0, Some(CHAIN_ID));
    let homestead = sign_legacy(1, None);
    let h155 = send_raw(net, &eip155).await;
    let h_homestead = send_raw(net, &homestead).await;
    let ts = mine(net);
    assert_eq!(ts.eth_hashes, vec![h155, h_homestead]);

    let tx = net.call("eth_getTransactionByHash", json!([h155])).await;
    assert_eq!(tx["type"], "0x0");
    assert_eq!(tx["chainId"], qty(CHAIN_ID));
    assert_eq!(tx["gasPrice"], qty(FEE_CAP));
    assert_eq!(tx["value"], "0x7");
    let v = u64::from_str_radix(tx["v"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    assert!(v == CHAIN_ID * 2 + 35 || v == CHAIN_ID * 2 + 36, "v = {v}");
    assert_eq!(from_json::<Transaction>(tx).inner.inner().encoded_2718(), eip155);

    let tx = net.call("eth_getTransactionByHash", json!([h_homestead])).await;
    assert_eq!(tx["type"], "0x0");
    assert!(tx.get("chainId").is_none_or(Value::is_null), "no chain id: {tx}");
    assert!(tx["v"] == "0x1b" || tx["v"] == "0x1c", "v = {}", tx["v"]);
    assert_eq!(from_json::<Transaction>(tx).inner.inner().encoded_2718(), homestead);

    // Legacy receipts have type 0.
    let receipt = net.call("eth_getTransactionReceipt", json!([h155])).await;
    assert_eq!(receipt["type"], "0x0");
    assert_eq!(receipt["status"], "0x1");
    let raw = TxEnvelope::decode_2718(&mut eip155.as_slice()).expect("decodes");
    assert_eq!(*raw.tx_hash(), h155);
    assert_eq!(hex::encode_prefixed(raw.tx_hash()), receipt["transactionHash"]);
}
