//! Storage deals and datacap from contracts, end to end through the gateway, the way a
//! Filecoin Solidity developer meets them: a `DealClient` contract makes a proposal, a provider
//! publishes it (the market asks the contract to authenticate it, then tells it the deal ID),
//! proves a sector holding it and the contract sees the deal activated; a `VerifiedClient`
//! contract is made a verified client and spends its datacap on allocations that the provider
//! claims. Contracts are deployed and called over JSON-RPC; the provider and the registry's
//! keys send native f1 messages, as they would through Lotus.
//!
//! The provider is a miner created here with an f1 owner: the genesis provider's only key is
//! its BLS worker, and the devnet's pool refuses BLS-signed messages.

mod datacap;
mod provider;

use alloy_primitives::{I256, U256};
use alloy_rpc_types_eth::Log;
use alloy_sol_types::{SolCall, SolError, SolEvent};
use chain::{ChainConfig, MiningMode};
use fvm_ipld_encoding::{BytesSer, RawBytes};
use fvm_shared::address::Address as FilAddress;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use solidity_fixtures::DealClient;

use super::*;
use provider::*;

/// Gas for transactions to the fixtures (Filecoin gas; CBOR work and actor calls).
const CONTRACT_GAS: u64 = 2_000_000_000;
/// The deal's terms, in attoFIL.
const PRICE_PER_EPOCH: u128 = 1_000_000_000;
const CLIENT_COLLATERAL: u128 = 3_000_000_000_000_000;
const PROVIDER_COLLATERAL: u128 = 10_000_000_000_000_000;
/// EVM revert (USR_UNSPECIFIED + the contract's error), as the VM reports a reverting contract.
const REVERTED: ExitCode = ExitCode::new(33);

/// A net that mines by hand, with three f1 accounts: the verified registry's root key (the
/// first), a verifier, and a provider's owner.
async fn devnet() -> TestNet {
    let config =
        ChainConfig { mining: MiningMode::Manual, f1_accounts: 3, ..ChainConfig::default() };
    TestNet::with(config).await
}

/// A transaction from `key` to `to`, mined; fails the test unless it succeeds.
async fn transact(net: &TestNet, key: &PrivateKeySigner, to: Address, value: u128, input: Vec<u8>) {
    let nonce = next_nonce(net, key);
    execute(net, &eip1559(key, nonce, Some(to), value, input, CONTRACT_GAS), true).await;
}

/// The value of a big-integer magnitude as filecoin-solidity-api returns it (zero may be
/// empty or a single 0 byte).
fn amount(bytes: &[u8]) -> U256 {
    U256::from_be_slice(bytes)
}

/// The logs of `event` from `emitter` in the tipset at `height`.
async fn logs_of(net: &TestNet, emitter: Address, event: B256, height: i64) -> Vec<Log> {
    let block = qty(height as u64);
    let filter =
        json!([{"address": emitter, "fromBlock": block, "toBlock": block, "topics": [event]}]);
    from_json(net.call("eth_getLogs", filter).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_client_makes_a_deal_that_a_provider_publishes_and_activates() {
    let net = devnet().await;
    let owner = key(&net, 0);
    let (client, _) = deploy(&net, &owner, DealClient::BYTECODE.to_vec(), true).await;
    let client_f410 = address_mapping::eth_to_filecoin(&client).unwrap();
    let client_id = id_of(&net, &client_f410);
    let provider = Provider::create(&net, net.node.native_accounts()[2].clone(), FIL);

    // The contract funds its escrow with the transaction's value.
    transact(&net, &owner, client, FIL, DealClient::addBalanceCall {}.abi_encode()).await;
    let out = call(&net, client, DealClient::marketBalanceCall {}.abi_encode()).await;
    let balance = DealClient::marketBalanceCall::abi_decode_returns(&out).unwrap();
    assert_eq!(
        (balance._0, amount(&balance._1), amount(&balance._2)),
        (I256::ZERO, U256::from(FIL), U256::ZERO)
    );

    // The owner writes a proposal: a 2 KiB piece for the provider, starting late enough that a
    // sector holding it is long enough however late it is proven. Others may not.
    let start = net.node.chain_head().height() + 90_000;
    let label = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
    let request = DealClient::DealRequest {
        pieceCid: piece(1).to_bytes().into(),
        pieceSize: 2048,
        verified: false,
        provider: provider.id,
        label: label.into(),
        startEpoch: start,
        endEpoch: start + MIN_TERM,
        pricePerEpoch: U256::from(PRICE_PER_EPOCH),
        providerCollateral: U256::from(PROVIDER_COLLATERAL),
        clientCollateral: U256::from(CLIENT_COLLATERAL),
    };
    let make = DealClient::makeDealProposalCall { request }.abi_encode();
    let stranger = key(&net, 1).address();
    let refused = net
        .error(
            "eth_call",
            json!([{"from": stranger, "to": client, "input": hex::encode_prefixed(&make)}]),
        )
        .await;
    let data: Bytes = from_json(refused["data"].clone());
    assert_eq!(data[..4], DealClient::NotOwner::SELECTOR, "{refused}");
    let nonce = next_nonce(&net, &owner);
    let made =
        execute(&net, &eip1559(&owner, nonce, Some(client), 0, make, CONTRACT_GAS), true).await;

    // Boost's view: the event names the proposal, `getDealProposal` serves its CBOR.
    let logs =
        logs_of(&net, client, DealClient::DealProposalCreate::SIGNATURE_HASH, made.height).await;
    assert_eq!(logs.len(), 1);
    let created = DealClient::DealProposalCreate::decode_log_data(logs[0].data()).unwrap();
    assert_eq!(
        (created.size, created.verified, created.price),
        (2048, false, U256::from(PRICE_PER_EPOCH))
    );
    let id = created.id;
    let out = call(&net, client, DealClient::getDealProposalCall { id }.abi_encode()).await;
    let bytes = DealClient::getDealProposalCall::abi_decode_returns(&out).unwrap();
    let proposal: DealProposal = decode(&bytes);
    let expected = DealProposal {
        piece_cid: piece(1),
        piece_size: 2048,
        verified_deal: false,
        client: client_f410,
        provider: provider.miner,
        label: label.into(),
        start_epoch: start,
        end_epoch: start + MIN_TERM,
        storage_price_per_epoch: TokenAmount::from_atto(PRICE_PER_EPOCH),
        provider_collateral: TokenAmount::from_atto(PROVIDER_COLLATERAL),
        client_collateral: TokenAmount::from_atto(CLIENT_COLLATERAL),
    };
    assert_eq!(proposal, expected);
    assert_eq!(cbor(&proposal), bytes.to_vec(), "the contract writes canonical CBOR");

    // The contract answers AuthenticateMessage for its own proposal (CBOR true) and reverts
    // for any other: here, the same terms at a higher price.
    let authenticate = |proposal: &DealProposal| {
        let params = cbor(&(BytesSer(&[0xde, 0xad]), BytesSer(&cbor(proposal))));
        call_native(&net, &provider.owner, client_f410, AUTHENTICATE_MESSAGE, params)
    };
    assert_eq!(authenticate(&proposal), (ExitCode::OK, vec![0xf5]));
    let mut tampered = proposal.clone();
    tampered.storage_price_per_epoch = TokenAmount::from_atto(PRICE_PER_EPOCH + 1);
    assert_eq!(authenticate(&tampered).0, REVERTED);
    // Deal notices come from the market only, and unknown methods revert.
    let forged = cbor(&(BytesSer(&bytes), 7u64));
    let notice = call_native(&net, &provider.owner, client_f410, MARKET_NOTIFY_DEAL, forged);
    assert_eq!(notice.0, REVERTED);
    let unknown = call_native(&net, &provider.owner, client_f410, 4_000_000_001, cbor(&1u64));
    assert_eq!(unknown.0, REVERTED);

    // Published with the tampered price, the only deal fails authentication: the market drops
    // it and, with none left, refuses the message (USR_ILLEGAL_ARGUMENT).
    let (out, _) = provider.publish(&net, &tampered);
    assert_eq!(out.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT, "{:?}", out.failure);
    let out = call(&net, client, DealClient::dealOfCall { id }.abi_encode()).await;
    let recorded = DealClient::dealOfCall::abi_decode_returns(&out).unwrap();
    assert!(!recorded._0, "nothing was published");

    // The proposal as made: the market authenticates it with the contract, records the deal,
    // and notifies the contract, which records the deal ID.
    let (publication, ids) = provider.publish(&net, &proposal);
    assert_eq!(publication.exit_code, ExitCode::OK, "{:?}", publication.failure);
    assert_eq!(ids.len(), 1);
    let deal = ids[0];
    let out = call(&net, client, DealClient::dealOfCall { id }.abi_encode()).await;
    let recorded = DealClient::dealOfCall::abi_decode_returns(&out).unwrap();
    assert_eq!((recorded._0, recorded._1), (true, deal));
    let event = DealClient::DealPublished::SIGNATURE_HASH;
    let logs = logs_of(&net, client, event, publication.height).await;
    assert_eq!(logs.len(), 1);
    let published = DealClient::DealPublished::decode_log_data(logs[0].data()).unwrap();
    assert_eq!((published.id, published.dealId), (id, deal));
    // Publishing it again is refused: the contract has seen it published.
    assert_eq!(authenticate(&proposal).0, REVERTED);
    let (again, _) = provider.publish(&net, &proposal);
    assert_eq!(again.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);

    // The contract reads its deal back through MarketAPI.
    let get = |input: Vec<u8>| call(&net, client, input);
    let out = get(DealClient::dealClientCall { dealId: deal }.abi_encode()).await;
    let got = DealClient::dealClientCall::abi_decode_returns(&out).unwrap();
    assert_eq!((got._0, got._1), (I256::ZERO, client_id));
    let out = get(DealClient::dealProviderCall { dealId: deal }.abi_encode()).await;
    let got = DealClient::dealProviderCall::abi_decode_returns(&out).unwrap();
    assert_eq!((got._0, got._1), (I256::ZERO, provider.id));
    let out = get(DealClient::dealLabelCall { dealId: deal }.abi_encode()).await;
    let got = DealClient::dealLabelCall::abi_decode_returns(&out).unwrap();
    assert_eq!((got._0, got._1.to_vec(), got._2), (I256::ZERO, label.as_bytes().to_vec(), true));
    let out = get(DealClient::dealTermCall { dealId: deal }.abi_encode()).await;
    let got = DealClient::dealTermCall::abi_decode_returns(&out).unwrap();
    assert_eq!((got._0, got._1, got._2), (I256::ZERO, start, MIN_TERM), "start and duration");
    let out = get(DealClient::dealDataCommitmentCall { dealId: deal }.abi_encode()).await;
    let got = DealClient::dealDataCommitmentCall::abi_decode_returns(&out).unwrap();
    let cid = [&[0u8][..], &piece(1).to_bytes()].concat(); // the library keeps the 0x00 prefix
    assert_eq!((got._0, got._1.to_vec(), got._2), (I256::ZERO, cid, 2048));
    let out = get(DealClient::dealMoneyCall { dealId: deal }.abi_encode()).await;
    let got = DealClient::dealMoneyCall::abi_decode_returns(&out).unwrap();
    let total = PRICE_PER_EPOCH * MIN_TERM as u128;
    assert_eq!(
        (got._0, amount(&got._1), amount(&got._2), amount(&got._3)),
        (
            I256::ZERO,
            U256::from(total),
            U256::from(CLIENT_COLLATERAL),
            U256::from(PROVIDER_COLLATERAL)
        )
    );
    let out = get(DealClient::dealVerifiedCall { dealId: deal }.abi_encode()).await;
    let got = DealClient::dealVerifiedCall::abi_decode_returns(&out).unwrap();
    assert_eq!((got._0, got._1), (I256::ZERO, false));
    // The escrow locks the price and the client collateral.
    let out = get(DealClient::marketBalanceCall {}.abi_encode()).await;
    let balance = DealClient::marketBalanceCall::abi_decode_returns(&out).unwrap();
    assert_eq!(amount(&balance._2), U256::from(total + CLIENT_COLLATERAL));

    // Not active yet: the market says [-1, -1], which the library (1.1.3's readInt64 ignores
    // the sign of negative integers) hands to the contract as zeros.
    assert_eq!(activation(&net, &provider, deal), (-1, -1));
    let out = get(DealClient::dealActivationCall { dealId: deal }.abi_encode()).await;
    let got = DealClient::dealActivationCall::abi_decode_returns(&out).unwrap();
    assert_eq!((got._0, got._1, got._2), (I256::ZERO, 0, 0));

    // The provider seals the piece into sector 1 and proves it, notifying the market with the
    // deal ID: the deal is activated at the prove-commit's epoch.
    let piece_manifest = PieceActivationManifest {
        cid: piece(1),
        size: 2048,
        verified_allocation_key: None,
        notify: vec![(MARKET, RawBytes::new(cbor(&deal)))],
    };
    let proven = provider.onboard(&net, &[piece_manifest], start + MIN_TERM + 10).ok();
    let (activated, failed): (u32, Vec<(u32, u32)>) = decode(&proven.return_data);
    assert_eq!((activated, failed), (1, vec![]));
    assert_eq!(activation(&net, &provider, deal), (proven.height, -1));
    let out = get(DealClient::dealActivationCall { dealId: deal }.abi_encode()).await;
    let got = DealClient::dealActivationCall::abi_decode_returns(&out).unwrap();
    assert_eq!((got._0, got._1, got._2), (I256::ZERO, proven.height, 0));
}

/// The market's `GetDealActivation` as a native caller reads it: `[activated, terminated]`.
fn activation(net: &TestNet, provider: &Provider, deal: u64) -> (i64, i64) {
    let (code, ret) = call_native(net, &provider.owner, MARKET, GET_DEAL_ACTIVATION, cbor(&deal));
    assert_eq!(code, ExitCode::OK);
    decode(&ret)
}
