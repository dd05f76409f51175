//! Filecoin's storage actors from Solidity, through the gateway: the `StorageClient` fixture
//! reaches them with the filecoin-solidity-api library, as real contracts do (CBOR params,
//! `call_actor_id` by actor ID, exit codes returned to the contract).

use alloy_primitives::I256;
use alloy_sol_types::SolCall;
use solidity_fixtures::StorageClient;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contracts_read_datacap_through_the_library() {
    let net = TestNet::start().await;
    let owner = key(&net, 0);
    let (client, _) = deploy(&net, &owner, StorageClient::BYTECODE.to_vec(), false).await;

    let out = call(&net, client, StorageClient::datacapNameAndSymbolCall {}.abi_encode()).await;
    let names = StorageClient::datacapNameAndSymbolCall::abi_decode_returns(&out).unwrap();
    assert_eq!(
        (names._0, names._1.as_str(), names._2, names._3.as_str()),
        (I256::ZERO, "DataCap", I256::ZERO, "DCAP")
    );

    // Nobody holds datacap at genesis: the supply and the contract's own balance are zero
    // (the empty big-integer encoding).
    let out = call(&net, client, StorageClient::datacapTotalSupplyCall {}.abi_encode()).await;
    let supply = StorageClient::datacapTotalSupplyCall::abi_decode_returns(&out).unwrap();
    assert_eq!((supply._0, supply._1.len()), (I256::ZERO, 0));
    let f410 = address_mapping::eth_to_filecoin(&client).unwrap();
    let head = net.node.chain_head();
    let (id, _) = net.node.state_get_actor(&f410, &head).unwrap().expect("the contract exists");
    let out =
        call(&net, client, StorageClient::datacapBalanceCall { actorId: id }.abi_encode()).await;
    let balance = StorageClient::datacapBalanceCall::abi_decode_returns(&out).unwrap();
    assert_eq!((balance._0, balance._1.len()), (I256::ZERO, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contracts_read_power_through_the_library() {
    let net = TestNet::start().await;
    let owner = key(&net, 0);
    let (client, _) = deploy(&net, &owner, StorageClient::BYTECODE.to_vec(), false).await;

    // A fresh devnet has no miners and no power (the empty big-integer encoding).
    let out = call(&net, client, StorageClient::minerCountsCall {}.abi_encode()).await;
    let counts = StorageClient::minerCountsCall::abi_decode_returns(&out).unwrap();
    assert_eq!((counts._0, counts._1, counts._2, counts._3), (I256::ZERO, 0, I256::ZERO, 0));
    let out = call(&net, client, StorageClient::networkRawPowerCall {}.abi_encode()).await;
    let power = StorageClient::networkRawPowerCall::abi_decode_returns(&out).unwrap();
    assert_eq!((power._0, power._1.len()), (I256::ZERO, 0));

    // An actor that is not a miner has no claim: power refuses with USR_ILLEGAL_ARGUMENT (16),
    // and the library hands the exit code to the contract.
    let out =
        call(&net, client, StorageClient::minerRawPowerCall { minerId: 1 }.abi_encode()).await;
    let raw = StorageClient::minerRawPowerCall::abi_decode_returns(&out).unwrap();
    assert_eq!(raw._0, I256::try_from(16).unwrap());
}

/// The big-endian magnitude of `atto`, as filecoin-solidity-api's `BigInt.val`.
fn big_endian(atto: u128) -> Vec<u8> {
    let bytes = atto.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes[first..].to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_funds_and_withdraws_its_market_escrow() {
    let net = TestNet::start().await;
    let owner = key(&net, 0);
    let (client, _) = deploy(&net, &owner, StorageClient::BYTECODE.to_vec(), false).await;
    let send = |nonce: u64, value: u128, input: Vec<u8>| {
        eip1559(&owner, nonce, Some(client), value, input, GAS)
    };

    // AddBalance with the transaction's value: the escrow holds 1 FIL, none locked.
    let nonce = next_nonce(&net, &owner);
    let add = StorageClient::marketAddBalanceCall {}.abi_encode();
    execute(&net, &send(nonce, FIL, add), false).await;
    let out = call(&net, client, StorageClient::marketBalanceCall {}.abi_encode()).await;
    let balance = StorageClient::marketBalanceCall::abi_decode_returns(&out).unwrap();
    assert_eq!(balance._0, I256::ZERO);
    assert_eq!(balance._1.to_vec(), big_endian(FIL));
    assert_eq!(balance._2.to_vec(), [0], "nothing locked (the library writes zero as 0x00)");

    // Withdraw 0.4 FIL back to the contract.
    let amount = big_endian(4 * FIL / 10);
    let withdraw = StorageClient::marketWithdrawCall { amount: amount.clone().into() }.abi_encode();
    let out = call(&net, client, withdraw.clone()).await;
    let preview = StorageClient::marketWithdrawCall::abi_decode_returns(&out).unwrap();
    assert_eq!((preview._0, preview._1.to_vec()), (I256::ZERO, amount));
    execute(&net, &send(nonce + 1, 0, withdraw), false).await;
    let out = call(&net, client, StorageClient::marketBalanceCall {}.abi_encode()).await;
    let balance = StorageClient::marketBalanceCall::abi_decode_returns(&out).unwrap();
    assert_eq!(balance._1.to_vec(), big_endian(6 * FIL / 10));

    // A deal that was never published: USR_NOT_FOUND (17), handed to the contract.
    let out =
        call(&net, client, StorageClient::dealActivationCall { dealId: 0 }.abi_encode()).await;
    let activation = StorageClient::dealActivationCall::abi_decode_returns(&out).unwrap();
    assert_eq!(activation._0, I256::try_from(17).unwrap());
}
