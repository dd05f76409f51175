//! A contract that holds datacap and spends it: made a verified client by a verifier (the
//! registry's root key made the verifier), it reads balances, is refused a transfer to anyone
//! but the registry, allocates by transferring to the registry, lets another contract allocate
//! from its datacap through an allowance, and reads back the claims the provider makes when it
//! proves the allocated pieces.

use fvm_ipld_encoding::BytesDe;
use fvm_shared::bigint::BigInt;
use solidity_fixtures::VerifiedClient;

use super::*;

/// Datacap tokens per byte (18 decimals).
const PER_BYTE: u128 = FIL;
/// The longest allocation term: 5 years of epochs.
const MAX_TERM: i64 = 5 * 1_051_897;

/// `bytes` bytes of datacap in tokens.
fn tokens(bytes: u128) -> U256 {
    U256::from(bytes * PER_BYTE)
}

/// The big-endian magnitude of `value`, as the library's `BigInt.val`.
fn magnitude(value: U256) -> Bytes {
    let bytes = value.to_be_bytes::<32>();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(32);
    bytes[first..].to_vec().into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_holds_datacap_and_spends_it_on_allocations_a_provider_claims() {
    let net = devnet().await;
    let natives = net.node.native_accounts().to_vec();
    let (root, verifier) = (&natives[0], &natives[1]);
    let provider = Provider::create(&net, natives[2].clone(), FIL);
    let owner = key(&net, 0);
    let (holder, _) = deploy(&net, &owner, VerifiedClient::BYTECODE.to_vec(), true).await;
    let (spender, _) = deploy(&net, &owner, VerifiedClient::BYTECODE.to_vec(), true).await;
    let holder_f410 = address_mapping::eth_to_filecoin(&holder).unwrap();
    let spender_f410 = address_mapping::eth_to_filecoin(&spender).unwrap();
    let holder_id = id_of(&net, &holder_f410);
    let registry = Bytes::from(REGISTRY.to_bytes());
    let balance_of = |who: Bytes| {
        let net = &net;
        async move {
            let out =
                call(net, holder, VerifiedClient::balanceOfCall { addr: who }.abi_encode()).await;
            let got = VerifiedClient::balanceOfCall::abi_decode_returns(&out).unwrap();
            assert_eq!(got._0, I256::ZERO);
            amount(&got._1)
        }
    };

    // The root key makes an f1 account a verifier; the verifier makes the contract a verified
    // client with 8 KiB, which datacap mints to it through its FRC-46 receiver hook.
    let zero = TokenAmount::default();
    let params = VerifierParams { address: verifier.address, allowance: BigInt::from(1 << 20) };
    send_native(&net, root, REGISTRY, ADD_VERIFIER, cbor(&params), zero.clone()).ok();
    let params = VerifierParams { address: holder_f410, allowance: BigInt::from(8192) };
    send_native(&net, verifier, REGISTRY, ADD_VERIFIED_CLIENT, cbor(&params), zero).ok();
    let out = call(&net, holder, VerifiedClient::hooksReceivedCall {}.abi_encode()).await;
    assert_eq!(VerifiedClient::hooksReceivedCall::abi_decode_returns(&out).unwrap(), U256::from(1));
    let out = call(&net, holder, VerifiedClient::lastReceivedCall {}.abi_encode()).await;
    let payload = VerifiedClient::lastReceivedCall::abi_decode_returns(&out).unwrap();
    // FRC46TokenReceived [from, to, operator, amount, operator_data, token_data]: minted by
    // datacap (f07) on the registry's (f06) order.
    let (from, to, operator, minted, _, _): (u64, u64, u64, TokenAmount, BytesDe, BytesDe) =
        decode(&payload);
    assert_eq!((from, to, operator), (7, holder_id, 6));
    assert_eq!(minted, TokenAmount::from_atto(8192 * PER_BYTE));
    assert_eq!(balance_of(holder_f410.to_bytes().into()).await, tokens(8192));
    let by_id = FilAddress::new_id(holder_id).to_bytes();
    assert_eq!(balance_of(by_id.into()).await, tokens(8192), "the same holder by ID");

    // Datacap is not a currency: a transfer to another contract is refused (USR_FORBIDDEN),
    // handed to the contract as its exit code, and nothing moves.
    let transfer = VerifiedClient::transferCall {
        to: spender_f410.to_bytes().into(),
        amount: magnitude(tokens(1024)),
        operatorData: Bytes::new(),
    }
    .abi_encode();
    let out = call(&net, holder, transfer.clone()).await;
    let refused = VerifiedClient::transferCall::abi_decode_returns(&out).unwrap();
    assert_eq!(refused._0, I256::try_from(18).unwrap());
    transact(&net, &owner, holder, 0, transfer).await;
    assert_eq!(balance_of(holder_f410.to_bytes().into()).await, tokens(8192));
    assert_eq!(balance_of(spender_f410.to_bytes().into()).await, U256::ZERO);

    // Spent on an allocation: 2 KiB to the registry, with the request as operator data. The
    // registry answers with the new allocation's ID (they count from 1) and keeps the tokens.
    let expiration = net.node.chain_head().height() + 30 * 2880;
    let request = |n: u8| VerifiedClient::AllocationRequest {
        provider: provider.id,
        pieceCid: piece(n).to_bytes().into(),
        size: 2048,
        termMin: MIN_TERM,
        termMax: MAX_TERM,
        expiration,
    };
    let allocate = VerifiedClient::allocateCall { requests: vec![request(2)] }.abi_encode();
    let out = call(&net, holder, allocate.clone()).await;
    let preview = VerifiedClient::allocateCall::abi_decode_returns(&out).unwrap();
    assert_eq!((preview._0, preview._1), (I256::ZERO, vec![1]));
    transact(&net, &owner, holder, 0, allocate).await;
    let out = call(&net, holder, VerifiedClient::allocationsCall {}.abi_encode()).await;
    assert_eq!(VerifiedClient::allocationsCall::abi_decode_returns(&out).unwrap(), vec![1]);
    assert_eq!(balance_of(holder_f410.to_bytes().into()).await, tokens(6144));
    assert_eq!(balance_of(registry.clone()).await, tokens(2048));

    // An allowance lets the other contract allocate from the holder's datacap (TransferFrom):
    // the allocation is the holder's, the allowance is used up, and then refused
    // (USR_INSUFFICIENT_FUNDS).
    let (holder_bytes, spender_bytes) =
        (Bytes::from(holder_f410.to_bytes()), Bytes::from(spender_f410.to_bytes()));
    let increase = VerifiedClient::increaseAllowanceCall {
        operator: spender_bytes.clone(),
        amount: magnitude(tokens(2048)),
    }
    .abi_encode();
    let out = call(&net, holder, increase.clone()).await;
    let allowed = VerifiedClient::increaseAllowanceCall::abi_decode_returns(&out).unwrap();
    assert_eq!((allowed._0, amount(&allowed._1)), (I256::ZERO, tokens(2048)));
    transact(&net, &owner, holder, 0, increase).await;
    let allowance = VerifiedClient::allowanceCall {
        owner: holder_bytes.clone(),
        operator: spender_bytes.clone(),
    }
    .abi_encode();
    let out = call(&net, spender, allowance.clone()).await;
    let left = VerifiedClient::allowanceCall::abi_decode_returns(&out).unwrap();
    assert_eq!((left._0, amount(&left._1)), (I256::ZERO, tokens(2048)));
    let allocate_from = VerifiedClient::allocateFromCall {
        owner: holder_bytes.clone(),
        requests: vec![request(3)],
    }
    .abi_encode();
    let out = call(&net, spender, allocate_from.clone()).await;
    let preview = VerifiedClient::allocateFromCall::abi_decode_returns(&out).unwrap();
    assert_eq!((preview._0, preview._1), (I256::ZERO, vec![2]));
    transact(&net, &owner, spender, 0, allocate_from.clone()).await;
    assert_eq!(balance_of(holder_f410.to_bytes().into()).await, tokens(4096));
    assert_eq!(balance_of(registry.clone()).await, tokens(4096));
    let out = call(&net, spender, allowance).await;
    let left = VerifiedClient::allowanceCall::abi_decode_returns(&out).unwrap();
    assert_eq!((left._0, amount(&left._1)), (I256::ZERO, U256::ZERO));
    let out = call(&net, spender, allocate_from).await;
    let refused = VerifiedClient::allocateFromCall::abi_decode_returns(&out).unwrap();
    assert_eq!(refused._0, I256::try_from(19).unwrap());

    // The hook takes datacap from datacap only; other methods revert.
    let forged = cbor(&(2_233_613_279u32, BytesSer(&payload)));
    assert_eq!(call_native(&net, root, holder_f410, RECEIVER_HOOK, forged).0, REVERTED);
    assert_eq!(call_native(&net, root, holder_f410, 4_000_000_001, cbor(&1u64)).0, REVERTED);

    // The provider proves both pieces, each in its own sector, claiming the allocations. The
    // contract reads the claims back (a claim keeps its allocation's ID); the registry burns
    // the claimed datacap.
    let claimed = |n: u8, allocation: u64| PieceActivationManifest {
        cid: piece(n),
        size: 2048,
        verified_allocation_key: Some((holder_id, allocation)),
        notify: vec![],
    };
    let lifetime = net.node.chain_head().height() + 610_000;
    let proven = provider.onboard(&net, &[claimed(2, 1), claimed(3, 2)], lifetime).ok();
    let (activated, failed): (u32, Vec<(u32, u32)>) = decode(&proven.return_data);
    assert_eq!((activated, failed), (2, vec![]));
    for (claim_id, sector, n) in [(1, 1, 2), (2, 2, 3)] {
        let ask = VerifiedClient::claimCall { provider: provider.id, claimId: claim_id };
        let out = call(&net, holder, ask.abi_encode()).await;
        let got = VerifiedClient::claimCall::abi_decode_returns(&out).unwrap();
        assert_eq!((got._0, got._1), (I256::ZERO, 1));
        let expected = VerifiedClient::ClaimView {
            provider: provider.id,
            client: holder_id,
            data: [&[0u8][..], &piece(n).to_bytes()].concat().into(),
            size: 2048,
            termMin: MIN_TERM,
            termMax: MAX_TERM,
            termStart: proven.height,
            sector,
        };
        assert_eq!(got.view_, expected);
    }
    let ask = VerifiedClient::claimCall { provider: provider.id, claimId: 99 };
    let out = call(&net, holder, ask.abi_encode()).await;
    let got = VerifiedClient::claimCall::abi_decode_returns(&out).unwrap();
    assert_eq!((got._0, got._1), (I256::ZERO, 0), "no such claim");
    assert_eq!(balance_of(registry).await, U256::ZERO);
    assert_eq!(balance_of(holder_f410.to_bytes().into()).await, tokens(4096));
}
