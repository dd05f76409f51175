//! Native f1 messages seen as Ethereum transactions (spec §2.6), and the Lotus hash helpers
//! `Filecoin.EthGetMessageCidByTransactionHash` / `Filecoin.EthGetTransactionHashByCid`.

use address_mapping::{eth_to_filecoin, masked_id_address};
use alloy_primitives::{Address, B256, Bytes, U256, hex};
use alloy_sol_types::{SolCall, SolValue};
use chain::eth_tx::eth_hash_from_cid;
use chain::message::sign_secp;
use chain::{ChainConfig, FullNode, MiningMode};
use cid::Cid;
use evm_actor::methods::{EAM_CREATE_EXTERNAL_METHOD, EamReturn, INVOKE_CONTRACT_METHOD};
use fvm_ipld_encoding::{BytesSer, RawBytes};
use fvm_shared::address::Address as FilAddress;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use serde_json::{Value, json};
use solidity_fixtures::Token;

use super::{CHAIN_ID, FEE_CAP, SUPPLY, TIP, eip1559, from_json, key, mine, qty, send_raw};
use crate::support::TestNet;

const NATIVE_GAS: u64 = 300_000_000;
const ONE_FIL: u128 = 1_000_000_000_000_000_000;

/// A message from the native account, signed with its key and pushed; its CID.
fn push_native(
    net: &TestNet,
    nonce: u64,
    to: FilAddress,
    value: u128,
    method: u64,
    params: Vec<u8>,
) -> Cid {
    let account = &net.node.native_accounts()[0];
    let message = Message {
        version: 0,
        from: account.address,
        to,
        sequence: nonce,
        value: TokenAmount::from_atto(value),
        method_num: method,
        params: RawBytes::new(params),
        gas_limit: NATIVE_GAS,
        gas_fee_cap: TokenAmount::from_atto(FEE_CAP),
        gas_premium: TokenAmount::from_atto(TIP),
    };
    let signed = sign_secp(message, &account.signer).expect("signs");
    net.node.mpool_push(signed).expect("accepted").cid
}

/// `bytes` as the CBOR byte string Ethereum-style params are.
fn cbor_bytes(bytes: &[u8]) -> Vec<u8> {
    fvm_ipld_encoding::to_vec(&BytesSer(bytes)).expect("encodes")
}

/// `handle_filecoin_method(method, codec, params)` input.
fn filecoin_method_input(method: u64, codec: u64, params: &[u8]) -> String {
    let args = (method, codec, Bytes::copy_from_slice(params)).abi_encode_params();
    format!("0x868e10c4{}", hex::encode(args))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_messages_are_shown_as_eip1559_transactions() {
    let config =
        ChainConfig { f1_accounts: 1, mining: MiningMode::Manual, ..ChainConfig::default() };
    let net = TestNet::with(config).await;
    let k0 = key(&net, 0);
    let recipient = key(&net, 1).address();
    let initcode = solidity_fixtures::initcode(
        &Token::BYTECODE,
        &Token::constructorCall { supply: U256::from(SUPPLY) },
    );
    send_raw(&net, &eip1559(&k0, 0, None, initcode.clone())).await;
    mine(&net);
    let token = k0.address().create(0);

    // A plain send, an EVM call, a deployment, and an InvokeContract whose params are not a
    // byte string.
    let balance_of = Token::balanceOfCall { account: k0.address() }.abi_encode();
    let odd_params = vec![0x82, 0x01, 0x02];
    let cids = [
        push_native(&net, 0, eth_to_filecoin(&recipient).unwrap(), ONE_FIL, 0, Vec::new()),
        push_native(
            &net,
            1,
            eth_to_filecoin(&token).unwrap(),
            0,
            INVOKE_CONTRACT_METHOD,
            cbor_bytes(&balance_of),
        ),
        push_native(
            &net,
            2,
            FilAddress::new_id(10),
            0,
            EAM_CREATE_EXTERNAL_METHOD,
            cbor_bytes(&initcode),
        ),
        push_native(
            &net,
            3,
            eth_to_filecoin(&recipient).unwrap(),
            0,
            INVOKE_CONTRACT_METHOD,
            odd_params.clone(),
        ),
    ];
    let hashes = cids.map(|cid| eth_hash_from_cid(&cid));

    // Pending: found by its CID digest, without block fields; the helpers know it too.
    let pending = net.call("eth_getTransactionByHash", json!([hashes[0]])).await;
    assert_eq!(pending["hash"], json!(hashes[0]));
    assert_eq!(pending["blockHash"], Value::Null);
    let cid_json = json!({ "/": cids[0].to_string() });
    assert_eq!(
        net.call("Filecoin.EthGetMessageCidByTransactionHash", json!([hashes[0]])).await,
        cid_json
    );
    assert_eq!(
        net.call("Filecoin.EthGetTransactionHashByCid", json!([cid_json])).await,
        json!(hashes[0])
    );
    assert_eq!(net.call("eth_getTransactionReceipt", json!([hashes[0]])).await, Value::Null);

    let ts = mine(&net);
    assert_eq!(ts.messages, cids.to_vec());
    assert_eq!(ts.eth_hashes, hashes.to_vec());
    let f1 = net.node.native_accounts()[0].address;
    let (f1_id, _) = net.node.state_get_actor(&f1, &ts).unwrap().expect("f1 actor");
    let f1_eth = masked_id_address(f1_id);

    // The plain send: handle_filecoin_method(0, 0, ""), value, zero signature.
    let send = net.call("eth_getTransactionByHash", json!([hashes[0]])).await;
    assert_eq!(send["type"], "0x2");
    assert_eq!(send["hash"], json!(hashes[0]));
    assert_eq!(send["chainId"], qty(CHAIN_ID));
    assert_eq!(from_json::<Address>(send["from"].clone()), f1_eth);
    assert_eq!(from_json::<Address>(send["to"].clone()), recipient);
    assert_eq!(send["value"], qty(ONE_FIL));
    assert_eq!(send["nonce"], "0x0");
    assert_eq!(send["gas"], qty(NATIVE_GAS));
    assert_eq!(send["maxFeePerGas"], qty(FEE_CAP));
    assert_eq!(send["maxPriorityFeePerGas"], qty(TIP));
    assert_eq!(send["input"], filecoin_method_input(0, 0, &[]));
    assert_eq!((send["r"].clone(), send["s"].clone()), (json!("0x0"), json!("0x0")));
    assert_eq!(send["blockHash"], json!(ts.hash));
    assert_eq!(send["transactionIndex"], "0x0");
    let receipt = net.call("eth_getTransactionReceipt", json!([hashes[0]])).await;
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(receipt["transactionHash"], json!(hashes[0]));
    assert_eq!(from_json::<Address>(receipt["from"].clone()), f1_eth);
    assert_eq!(from_json::<Address>(receipt["to"].clone()), recipient);
    assert_eq!(receipt["gasPrice"], Value::Null, "receipts carry effectiveGasPrice only");
    assert_eq!(receipt["effectiveGasPrice"], send["gasPrice"]);

    // The EVM call: the raw calldata, to the contract.
    let call = net.call("eth_getTransactionByHash", json!([hashes[1]])).await;
    assert_eq!(call["input"], hex::encode_prefixed(&balance_of));
    assert_eq!(from_json::<Address>(call["to"].clone()), token);
    assert_eq!(net.call("eth_getTransactionReceipt", json!([hashes[1]])).await["status"], "0x1");

    // The deployment: the initcode, no recipient, the new contract in the receipt.
    let create = net.call("eth_getTransactionByHash", json!([hashes[2]])).await;
    assert_eq!(create["to"], Value::Null);
    assert_eq!(create["input"], hex::encode_prefixed(&initcode));
    let receipt = net.call("eth_getTransactionReceipt", json!([hashes[2]])).await;
    assert_eq!(receipt["status"], "0x1");
    let fvm = net.node.chain_get_receipts(&ts).unwrap();
    let ret: EamReturn = fvm_ipld_encoding::from_slice(fvm[2].return_data.bytes()).unwrap();
    assert_eq!(
        from_json::<Address>(receipt["contractAddress"].clone()),
        Address::from(ret.eth_address)
    );
    assert_eq!(receipt["logs"][0]["address"], receipt["contractAddress"], "the mint log");

    // Params that are not a byte string: ABI-wrapped with the CBOR codec.
    let odd = net.call("eth_getTransactionByHash", json!([hashes[3]])).await;
    assert_eq!(odd["input"], filecoin_method_input(INVOKE_CONTRACT_METHOD, 0x51, &odd_params));

    // The same objects in the full block.
    let block = net.call("eth_getBlockByHash", json!([ts.hash, true])).await;
    assert_eq!(block["transactions"][0], send);
    assert_eq!(block["transactions"][2], create);

    // The helpers, mined.
    for (cid, hash) in cids.iter().zip(hashes) {
        let cid_json = json!({ "/": cid.to_string() });
        assert_eq!(
            net.call("Filecoin.EthGetMessageCidByTransactionHash", json!([hash])).await,
            cid_json
        );
        assert_eq!(
            net.call("Filecoin.EthGetTransactionHashByCid", json!([cid_json])).await,
            json!(hash)
        );
        let bare = json!([cid.to_string()]);
        assert_eq!(net.call("Filecoin.EthGetTransactionHashByCid", bare).await, json!(hash));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hash_helpers_map_ethereum_transactions_and_unknowns() {
    let net = TestNet::manual().await;
    let k0 = key(&net, 0);
    let hash = send_raw(&net, &eip1559(&k0, 0, Some(Address::repeat_byte(5)), Vec::new())).await;
    let pending = net.node.mpool_find(None, Some(&hash)).expect("pending").cid;
    let expected = json!({ "/": pending.to_string() });
    assert_eq!(
        net.call("Filecoin.EthGetMessageCidByTransactionHash", json!([hash])).await,
        expected
    );
    assert_eq!(
        net.call("Filecoin.EthGetTransactionHashByCid", json!([expected])).await,
        json!(hash)
    );

    let ts = mine(&net);
    assert_eq!(ts.messages, vec![pending]);
    assert_ne!(eth_hash_from_cid(&pending), hash, "the keccak hash is not the CID digest");
    assert_eq!(
        net.call("Filecoin.EthGetMessageCidByTransactionHash", json!([hash])).await,
        expected
    );
    assert_eq!(
        net.call("Filecoin.EthGetTransactionHashByCid", json!([expected])).await,
        json!(hash)
    );

    // Unknown: null. Not a CID: invalid params.
    let unknown = B256::repeat_byte(0x77);
    assert_eq!(
        net.call("Filecoin.EthGetMessageCidByTransactionHash", json!([unknown])).await,
        Value::Null
    );
    let unknown_cid = chain::eth_tx::cid_from_eth_hash(unknown).to_string();
    assert_eq!(
        net.call("Filecoin.EthGetTransactionHashByCid", json!([unknown_cid])).await,
        Value::Null
    );
    let err = net.error("Filecoin.EthGetTransactionHashByCid", json!(["not-a-cid"])).await;
    assert_eq!(err["code"], -32602);
}
