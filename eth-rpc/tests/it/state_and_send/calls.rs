//! `eth_call` and `eth_estimateGas`: return data, revert errors, deployments, estimates that
//! are enough.

use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy_primitives::{Address, Bytes, U256, hex};
use alloy_sol_types::{Panic, PanicKind, Revert, SolCall, SolError};
use chain::FullNode;
use serde_json::json;
use solidity_fixtures::{Reverter, RevertingChild, Token, initcode};

use super::*;
use crate::support::TestNet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eth_call_reads_token_views_now_and_in_the_past() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let supply = U256::from(1_000u64);
    let (token, deployed_at) =
        deploy(&net, &alice, initcode(&Token::BYTECODE, &Token::constructorCall { supply }), true)
            .await;
    let bob = Address::repeat_byte(0xb0);
    let transfer = Token::transferCall { to: bob, value: U256::from(250u64) }.abi_encode();
    execute(&net, &eip1559(&alice, 1, Some(token), 0, transfer, GAS), true).await;

    let out = call(&net, token, Token::nameCall {}.abi_encode()).await;
    assert_eq!(Token::nameCall::abi_decode_returns(&out).unwrap(), "Fixture Token");
    let out = call(&net, token, Token::totalSupplyCall {}.abi_encode()).await;
    assert_eq!(Token::totalSupplyCall::abi_decode_returns(&out).unwrap(), supply);

    // `data` works like `input`; the block parameter selects the state.
    let balance_of = |who: Address, block: String| {
        let net = &net;
        async move {
            let data = hex::encode_prefixed(Token::balanceOfCall { account: who }.abi_encode());
            let out: Bytes = from_json(
                net.call("eth_call", json!([{ "to": token, "data": data }, block])).await,
            );
            Token::balanceOfCall::abi_decode_returns(&out).unwrap()
        }
    };
    assert_eq!(balance_of(bob, "latest".into()).await, U256::from(250u64));
    assert_eq!(balance_of(alice.address(), "latest".into()).await, U256::from(750u64));
    assert_eq!(balance_of(bob, qty(deployed_at as u64)).await, U256::ZERO);
    assert_eq!(balance_of(alice.address(), qty(deployed_at as u64)).await, supply);

    // Through alloy's provider, from an address that does not exist.
    let provider = ProviderBuilder::new().connect_http(net.url.parse().unwrap());
    let request = TransactionRequest::default()
        .from(Address::repeat_byte(0x77))
        .to(token)
        .input(Token::balanceOfCall { account: bob }.abi_encode().into());
    let out = provider.call(request).await.unwrap();
    assert_eq!(Token::balanceOfCall::abi_decode_returns(&out).unwrap(), U256::from(250u64));

    // A call to an account returns nothing; empty state overrides change nothing.
    let out: Bytes = from_json(net.call("eth_call", json!([{ "to": bob }, "latest", {}])).await);
    assert!(out.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverts_are_code_3_with_the_revert_data() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let (reverter, _) = deploy(&net, &alice, Reverter::BYTECODE.to_vec(), true).await;
    let call_err = |calldata: Vec<u8>| {
        let net = &net;
        async move {
            let input = hex::encode_prefixed(calldata);
            net.error("eth_call", json!([{ "to": reverter, "input": input }, "latest"])).await
        }
    };

    let err =
        call_err(Reverter::revertWithMessageCall { message: "boom".into() }.abi_encode()).await;
    assert_eq!(err["code"], 3);
    assert_eq!(err["message"], "execution reverted: boom");
    assert_eq!(err["data"], hex::encode_prefixed(Revert::from("boom").abi_encode()));

    let err = call_err(Reverter::panicOverflowCall { x: U256::from(1) }.abi_encode()).await;
    assert_eq!(err["code"], 3);
    assert_eq!(
        err["message"],
        "execution reverted: panic: arithmetic underflow or overflow (0x11)"
    );
    assert_eq!(
        err["data"],
        hex::encode_prefixed(Panic::from(PanicKind::UnderOverflow).abi_encode())
    );

    // A custom error: no generic reason, the raw bytes as data. `msg.sender` is 0x0 (no from).
    let err =
        call_err(Reverter::revertWithCustomErrorCall { code: U256::from(7) }.abi_encode()).await;
    assert_eq!(err["code"], 3);
    assert_eq!(err["message"], "execution reverted");
    let expected = Reverter::CustomError {
        code: U256::from(7),
        sender: Address::ZERO,
        message: "custom".into(),
    };
    assert_eq!(err["data"], hex::encode_prefixed(expected.abi_encode()));

    let err = call_err(Reverter::bareRevertCall {}.abi_encode()).await;
    assert_eq!(err, json!({ "code": 3, "message": "execution reverted", "data": "0x" }));

    // A non-revert failure names its exit code.
    let err = call_err(Reverter::invalidOpcodeCall {}.abi_encode()).await;
    assert_eq!(err["code"], 3);
    assert_eq!(
        err["message"],
        "execution reverted: invalid instruction (InvalidFEOpcode) (exit code 34)"
    );

    // Too little gas for the work: -32000 out of gas.
    let input = hex::encode_prefixed(Reverter::spinCall {}.abi_encode());
    let err = net
        .error("eth_call", json!([{ "to": reverter, "input": input, "gas": "0x2000000" }]))
        .await;
    assert_eq!(err, json!({ "code": -32000, "message": "out of gas" }));
    // An Ethereum-sized gas below the inclusion cost is ignored (web3.js checks every
    // transfer with `gas: 21000` before sending it).
    let transfer = json!({ "from": alice.address(), "to": Address::repeat_byte(5), "value": "0x1", "gas": "0x5208" });
    let out: Bytes = from_json(net.call("eth_call", json!([transfer, "latest"])).await);
    assert!(out.is_empty());

    // alloy sees the revert data.
    let provider = ProviderBuilder::new().connect_http(net.url.parse().unwrap());
    let request = TransactionRequest::default()
        .to(reverter)
        .input(Reverter::revertWithMessageCall { message: "via alloy".into() }.abi_encode().into());
    let err = provider.call(request).await.unwrap_err();
    let payload = err.as_error_resp().expect("an error response");
    assert_eq!(payload.code, 3);
    let data = payload.as_revert_data().expect("revert data");
    assert_eq!(data, Bytes::from(Revert::from("via alloy").abi_encode()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployments_can_be_simulated() {
    let net = TestNet::start().await;
    let alice = key(&net, 0);
    let deploy_data = hex::encode_prefixed(initcode(
        &Token::BYTECODE,
        &Token::constructorCall { supply: U256::from(5u64) },
    ));
    // As anvil and Geth (Lotus returns 0x): the runtime code the deployment would install.
    let out: Bytes = from_json(
        net.call("eth_call", json!([{ "from": alice.address(), "input": deploy_data }])).await,
    );
    assert_eq!(out.as_ref(), Token::DEPLOYED_BYTECODE.as_ref());
    let head = net.node.chain_head();
    let predicted = alice.address().create(0);
    assert!(
        net.node
            .state_get_actor(&address_mapping::eth_to_filecoin(&predicted).unwrap(), &head)
            .unwrap()
            .is_none(),
        "nothing is kept"
    );
    // A constructor that reverts.
    let reverting = hex::encode_prefixed(initcode(
        &RevertingChild::BYTECODE,
        &RevertingChild::constructorCall { useCustomError: false },
    ));
    let err = net.error("eth_call", json!([{ "from": alice.address(), "input": reverting }])).await;
    assert_eq!(err["code"], 3, "{err}");
    assert_eq!(err["message"], "execution reverted: RevertingChild: constructor reverted");
    // A deployment estimate is enough to deploy.
    let gas: U256 = from_json(
        net.call("eth_estimateGas", json!([{ "from": alice.address(), "input": deploy_data }]))
            .await,
    );
    let initcode = hex::decode(&deploy_data).unwrap();
    let raw = eip1559(&alice, 0, None, 0, initcode, gas.to());
    execute(&net, &raw, false).await;
    let code: Bytes = from_json(net.call("eth_getCode", json!([predicted])).await);
    assert_eq!(code, Token::DEPLOYED_BYTECODE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn estimates_are_enough_and_reverting_estimates_are_code_3() {
    let net = TestNet::start().await;
    let alice = key(&net, 0);
    let (token, _) = deploy(
        &net,
        &alice,
        initcode(&Token::BYTECODE, &Token::constructorCall { supply: U256::from(100u64) }),
        false,
    )
    .await;
    let bob = Address::repeat_byte(0xb0);
    let transfer = Token::transferCall { to: bob, value: U256::from(40u64) }.abi_encode();
    let estimate = |input: Vec<u8>, block: Option<&str>| {
        let net = &net;
        let from = alice.address();
        let block = block.map(str::to_owned);
        async move {
            let tx = json!({ "from": from, "to": token, "input": hex::encode_prefixed(input) });
            let params = match block {
                Some(b) => json!([tx, b]),
                None => json!([tx]),
            };
            net.raw("eth_estimateGas", params).await
        }
    };
    let gas: U256 = from_json(estimate(transfer.clone(), None).await["result"].clone());
    let gas: u64 = gas.to();
    let latest: U256 =
        from_json(estimate(transfer.clone(), Some("latest")).await["result"].clone());
    assert_eq!(latest, U256::from(gas));
    assert!(gas > 1_000_000 && gas < GAS, "{gas}");

    // A transaction with exactly the estimate succeeds.
    let nonce = next_nonce(&net, &alice);
    let at = execute(&net, &eip1559(&alice, nonce, Some(token), 0, transfer, gas), false).await;
    assert!(receipt(&net, at).gas_used <= gas);
    let out = call(&net, token, Token::balanceOfCall { account: bob }.abi_encode()).await;
    assert_eq!(Token::balanceOfCall::abi_decode_returns(&out).unwrap(), U256::from(40u64));

    // Transferring more than the balance reverts: code 3 with the custom error.
    let too_much = Token::transferCall { to: bob, value: U256::from(61u64) }.abi_encode();
    let response = estimate(too_much, None).await;
    let err = &response["error"];
    assert_eq!(err["code"], 3, "{response}");
    let expected = Token::InsufficientBalance {
        account: alice.address(),
        balance: U256::from(60u64),
        needed: U256::from(61u64),
    };
    assert_eq!(err["data"], hex::encode_prefixed(expected.abi_encode()));

    // A plain transfer to a new address, through alloy.
    let provider = ProviderBuilder::new().connect_http(net.url.parse().unwrap());
    let request = TransactionRequest::default()
        .from(alice.address())
        .to(Address::repeat_byte(0x31))
        .value(U256::from(5u64));
    let gas = provider.estimate_gas(request).await.unwrap();
    let nonce = next_nonce(&net, &alice);
    let raw = eip1559(&alice, nonce, Some(Address::repeat_byte(0x31)), 5, vec![], gas);
    execute(&net, &raw, false).await;
}
