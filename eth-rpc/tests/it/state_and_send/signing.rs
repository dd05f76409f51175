//! `eth_accounts`, `personal_sign`, `eth_sign` and `eth_signTypedData_v4`, checked by
//! recovering the signer with alloy.

use alloy_dyn_abi::TypedData;
use alloy_primitives::{Address, Bytes, Signature, b256};
use serde_json::json;

use super::*;
use crate::support::TestNet;

/// The EIP-712 specification's example.
fn mail() -> serde_json::Value {
    json!({
        "types": {
            "EIP712Domain": [
                { "name": "name", "type": "string" },
                { "name": "version", "type": "string" },
                { "name": "chainId", "type": "uint256" },
                { "name": "verifyingContract", "type": "address" }
            ],
            "Person": [
                { "name": "name", "type": "string" },
                { "name": "wallet", "type": "address" }
            ],
            "Mail": [
                { "name": "from", "type": "Person" },
                { "name": "to", "type": "Person" },
                { "name": "contents", "type": "string" }
            ]
        },
        "primaryType": "Mail",
        "domain": {
            "name": "Ether Mail",
            "version": "1",
            "chainId": 1,
            "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"
        },
        "message": {
            "from": { "name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
            "to": { "name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
            "contents": "Hello, Bob!"
        }
    })
}

fn signature(value: serde_json::Value) -> Signature {
    let bytes: Bytes = from_json(value);
    assert_eq!(bytes.len(), 65);
    assert!(matches!(bytes[64], 27 | 28), "v is 27 or 28");
    Signature::from_raw(&bytes).expect("a signature")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_accounts_are_listed_in_genesis_order() {
    let net = TestNet::start().await;
    let accounts: Vec<Address> = from_json(net.call("eth_accounts", json!([])).await);
    assert_eq!(accounts.len(), 10);
    assert_eq!(accounts[0].to_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    assert_eq!(accounts[1].to_string(), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_sign_and_eth_sign_sign_eip191_messages() {
    let net = TestNet::start().await;
    let me = key(&net, 3).address();
    let hex_hello = "0x68656c6c6f";

    let personal = signature(net.call("personal_sign", json!([hex_hello, me])).await);
    assert_eq!(personal.recover_address_from_msg(b"hello").unwrap(), me);
    // Plain text is signed as its UTF-8 bytes; eth_sign takes the address first.
    let text = signature(net.call("personal_sign", json!(["hello", me])).await);
    assert_eq!(text, personal);
    let eth_sign = signature(net.call("eth_sign", json!([me, hex_hello])).await);
    assert_eq!(eth_sign, personal);
    // A different key signs differently.
    let other =
        signature(net.call("personal_sign", json!([hex_hello, key(&net, 4).address()])).await);
    assert_ne!(other.recover_address_from_msg(b"hello").unwrap(), me);

    let stranger = Address::repeat_byte(0x99);
    let err = net.error("personal_sign", json!([hex_hello, stranger])).await;
    assert_eq!(err, json!({ "code": -32000, "message": "unknown account" }));
    let err = net.error("eth_sign", json!([stranger, hex_hello])).await;
    assert_eq!(err, json!({ "code": -32000, "message": "unknown account" }));
    let err = net.error("eth_sign", json!([me])).await;
    assert_eq!(err["code"], -32602, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_typed_data_v4_signs_the_eip712_hash() {
    let net = TestNet::start().await;
    let me = key(&net, 0).address();
    let typed: TypedData = from_json(mail());
    let hash = typed.eip712_signing_hash().unwrap();
    // The hash the EIP-712 specification gives for its example.
    assert_eq!(hash, b256!("be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"));

    let as_object = signature(net.call("eth_signTypedData_v4", json!([me, mail()])).await);
    assert_eq!(as_object.recover_address_from_prehash(&hash).unwrap(), me);
    // MetaMask sends the typed data as a JSON string.
    let as_string =
        signature(net.call("eth_signTypedData_v4", json!([me, mail().to_string()])).await);
    assert_eq!(as_string, as_object);

    let err = net.error("eth_signTypedData_v4", json!([me, { "types": 1 }])).await;
    assert_eq!(err["code"], -32602, "{err}");
    let err = net.error("eth_signTypedData_v4", json!([Address::repeat_byte(1), mail()])).await;
    assert_eq!(err["code"], -32000, "{err}");
}
