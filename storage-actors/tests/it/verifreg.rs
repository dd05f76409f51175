//! The verified registry (f06) through the real VM, with datacap (f07) and the rest of the
//! storage genesis installed: bob is the root key, alice (f1) and carol (f3) can be verifiers,
//! `client` is a fresh f1 account and `miner` a miner stand-in that forwards calls.

use cid::Cid;
use filecoin_vm::accounts::create_account;
use filecoin_vm::genesis::install_singleton;
use filecoin_vm::{ApplyRet, BuiltinType};
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::bigint::bigint_ser::BigIntDe;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::{ActorID, MethodNum};
use serde::Serialize;
use serde::de::DeserializeOwned;
use storage_actors::datacap::{BALANCE_METHOD, TOTAL_SUPPLY_METHOD, TRANSFER_METHOD};
use storage_actors::plumbing::{BatchReturn, address_key, u64_key};
use storage_actors::token::{TransferParams, TransferReturn};
use storage_actors::verifreg::*;

use crate::harness::{CONTRACT_RUN, Forward, Key, Net, assert_exit, decode, install_actor};

mod lifecycle;

const REGISTRY: Address = Address::new_id(6);
const DATACAP: Address = Address::new_id(7);

struct Setup {
    net: Net,
    client: Address,
    client_id: ActorID,
    miner: ActorID,
}

fn setup() -> Setup {
    let mut miner = 0;
    let net = Net::with_genesis(|tree| {
        storage_actors::genesis::install(tree).unwrap();
        let root = tree.lookup_id(&Key::secp(2).address()).unwrap().unwrap();
        let state = genesis_state(&tree.store(), Address::new_id(root)).unwrap();
        install_singleton(tree, 6, BuiltinType::VerifiedRegistry.code_cid(), state);
        create_account(tree, Key::secp(4).address(), TokenAmount::from_whole(100)).unwrap();
        miner = install_actor(tree, BuiltinType::Miner, TokenAmount::default());
    });
    let client = Key::secp(4).address();
    let mut s = Setup { net, client, client_id: 0, miner };
    s.client_id = s.net.id(&client);
    s
}

fn whole(n: i64) -> TokenAmount {
    TokenAmount::from_whole(n)
}

fn piece(n: u8) -> Cid {
    Cid::new_v1(0xf101, cid::multihash::Multihash::wrap(0x1012, &[n; 32]).unwrap())
}

fn bytes<T: DeserializeOwned>(raw: &RawBytes) -> T {
    fvm_ipld_encoding::from_slice(raw).unwrap()
}

fn call<P: Serialize>(net: &mut Net, from: &Address, method: MethodNum, p: &P) -> ApplyRet {
    net.send(from, &REGISTRY, method, Some(p), TokenAmount::default())
}

/// Has the stand-in `via` call f06; returns the whole receipt (for the events) and the
/// callee's exit code and return.
fn via<P: Serialize>(
    net: &mut Net,
    via: ActorID,
    method: MethodNum,
    p: &P,
) -> (ApplyRet, ExitCode, RawBytes) {
    let fwd = Forward {
        to: REGISTRY,
        method,
        params: Some(RawBytes::new(fvm_ipld_encoding::to_vec(p).unwrap())),
        value: TokenAmount::default(),
    };
    let alice = net.alice.address();
    let ret =
        net.send(&alice, &Address::new_id(via), CONTRACT_RUN, Some(&fwd), TokenAmount::default());
    assert_exit(&ret, ExitCode::OK);
    let (code, data): (u32, RawBytes) = ret.receipt.return_data.deserialize().unwrap();
    (ret, ExitCode::new(code), data)
}

fn datacap_of(net: &mut Net, who: &Address) -> TokenAmount {
    let alice = net.alice.address();
    decode(&net.send(&alice, &DATACAP, BALANCE_METHOD, Some(who), TokenAmount::default()))
}

/// f06's events of `kind` in a receipt: each as (key, flags, value) after `$type`.
fn events(ret: &ApplyRet, kind: &str) -> Vec<Vec<(String, u64, Vec<u8>)>> {
    let type_value = fvm_ipld_encoding::to_vec(kind).unwrap();
    ret.events
        .iter()
        .filter(|e| e.emitter == 6 && e.event.entries[0].value == type_value)
        .map(|e| {
            let first = &e.event.entries[0];
            assert_eq!((first.key.as_str(), first.flags.bits(), first.codec), ("$type", 3, 0x51));
            e.event.entries[1..]
                .iter()
                .map(|x| (x.key.clone(), x.flags.bits(), x.value.clone()))
                .collect()
        })
        .collect()
}

fn cbor<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    fvm_ipld_encoding::to_vec(v).unwrap()
}

/// The fields of an `allocation`/`claim` event, in order, with their flags and values.
fn expected_fields(
    id: u64,
    client: ActorID,
    provider: ActorID,
    data: Cid,
    size: u64,
    terms: &[(&str, i64)],
    sector: Option<u64>,
) -> Vec<(String, u64, Vec<u8>)> {
    let mut out = vec![
        ("id".to_string(), 3, cbor(&id)),
        ("client".to_string(), 3, cbor(&client)),
        ("provider".to_string(), 3, cbor(&provider)),
        ("piece-cid".to_string(), 3, cbor(&data)),
        ("piece-size".to_string(), 1, cbor(&size)),
    ];
    out.extend(terms.iter().map(|(k, v)| (k.to_string(), 1, cbor(v))));
    out.extend(sector.map(|s| ("sector".to_string(), 3, cbor(&s))));
    out
}

fn add_verifier(net: &mut Net, who: &Address, allowance: i64) -> ApplyRet {
    let bob = net.bob.address();
    call(
        net,
        &bob,
        ADD_VERIFIER_METHOD,
        &VerifierParams { address: *who, allowance: allowance.into() },
    )
}

/// Root → alice verifier (10 000) → `client` gets 4096 bytes of datacap.
fn verified_client(s: &mut Setup) {
    let alice = s.net.alice.address();
    assert_exit(&add_verifier(&mut s.net, &alice, 10_000), ExitCode::OK);
    let p = VerifierParams { address: s.client, allowance: 4096.into() };
    assert_exit(&call(&mut s.net, &alice, ADD_VERIFIED_CLIENT_METHOD, &p), ExitCode::OK);
}

fn request(
    provider: ActorID,
    data: Cid,
    size: u64,
    term_min: i64,
    term_max: i64,
    expiration: i64,
) -> AllocationRequest {
    AllocationRequest {
        provider,
        data,
        size: PaddedPieceSize(size),
        term_min,
        term_max,
        expiration,
    }
}

/// The client transfers the requests' total (or `amount`) to f06 with them as operator data.
fn allocate(s: &mut Setup, reqs: Vec<AllocationRequest>, amount: Option<i64>) -> ApplyRet {
    let total = reqs.iter().map(|r| r.size.0 as i64).sum();
    let ops = AllocationRequests { allocations: reqs, extensions: vec![] };
    let p = TransferParams {
        to: REGISTRY,
        amount: whole(amount.unwrap_or(total)),
        operator_data: RawBytes::new(cbor(&ops)),
    };
    let client = s.client;
    s.net.send(&client, &DATACAP, TRANSFER_METHOD, Some(&p), TokenAmount::default())
}

#[test]
fn callers_are_checked() {
    let mut s = setup();
    let (alice, carol, client) = (s.net.alice.address(), s.net.carol.address(), s.client);
    // Only the root adds or removes verifiers.
    let p = VerifierParams { address: carol, allowance: 1000.into() };
    assert_exit(&call(&mut s.net, &alice, ADD_VERIFIER_METHOD, &p), ExitCode::USR_FORBIDDEN);
    assert_exit(&call(&mut s.net, &alice, REMOVE_VERIFIER_METHOD, &carol), ExitCode::USR_FORBIDDEN);
    // Allowances below the minimum, the root as verifier, unknown verifiers: 16.
    assert_exit(&add_verifier(&mut s.net, &carol, 255), ExitCode::USR_ILLEGAL_ARGUMENT);
    let bob = s.net.bob.address();
    assert_exit(&add_verifier(&mut s.net, &bob, 1000), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert_exit(
        &call(&mut s.net, &bob, REMOVE_VERIFIER_METHOD, &carol),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );

    verified_client(&mut s);
    // A non-verifier granting datacap: not found (17), as upstream.
    let p = VerifierParams { address: client, allowance: 300.into() };
    assert_exit(&call(&mut s.net, &carol, ADD_VERIFIED_CLIENT_METHOD, &p), ExitCode::USR_NOT_FOUND);
    // More than the verifier has, or a client becoming a verifier: 16.
    let p = VerifierParams { address: carol, allowance: 10_000.into() };
    assert_exit(
        &call(&mut s.net, &alice, ADD_VERIFIED_CLIENT_METHOD, &p),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert_exit(&add_verifier(&mut s.net, &client, 1000), ExitCode::USR_ILLEGAL_ARGUMENT);
    // Contracts reach only the exported numbers.
    let p = VerifierParams { address: client, allowance: 300.into() };
    let (code, _) = s.net.contract_call(
        &REGISTRY,
        ADD_VERIFIED_CLIENT_METHOD,
        Some(&p),
        TokenAmount::default(),
    );
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
    // Removing a verifier emits a zero balance.
    let ret = call(&mut s.net, &bob, REMOVE_VERIFIER_METHOD, &alice);
    assert_exit(&ret, ExitCode::OK);
    assert_eq!(
        events(&ret, "verifier-balance")[0][1].2,
        cbor(&fvm_shared::bigint::bigint_ser::BigIntSer(&BigInt::from(0)))
    );

    // Receive only from f07.
    let hook = storage_actors::token::UniversalReceiverParams {
        type_: storage_actors::token::FRC46_TOKEN_TYPE,
        payload: RawBytes::default(),
    };
    assert_exit(&call(&mut s.net, &client, RECEIVE_METHOD, &hook), ExitCode::USR_FORBIDDEN);
    // ClaimAllocations only from miners (an account; a contract is refused before).
    let claim = ClaimAllocationsParams { sectors: vec![], all_or_nothing: false };
    assert_exit(
        &call(&mut s.net, &client, CLAIM_ALLOCATIONS_METHOD, &claim),
        ExitCode::USR_FORBIDDEN,
    );
    let (_, code, _) = via(&mut s.net, s.miner, CLAIM_ALLOCATIONS_METHOD, &claim);
    assert_eq!(code, ExitCode::USR_ILLEGAL_ARGUMENT, "no sectors");
}

#[test]
fn bad_allocation_requests_fail_the_whole_transfer() {
    let mut s = setup();
    verified_client(&mut s);
    let (miner, now, client) = (s.miner, s.net.epoch, s.client);
    let alice = s.net.alice.address();
    let alice_id = s.net.id(&alice);
    let (t, max) = (MINIMUM_VERIFIED_ALLOCATION_TERM, MAXIMUM_VERIFIED_ALLOCATION_TERM);
    let exp = now + 100;
    let cases = [
        (request(miner, piece(1), 128, t, t, exp), None),
        (request(miner, piece(1), 256, t - 1, t, exp), None),
        (request(miner, piece(1), 256, t, max + 1, exp), None),
        (request(miner, piece(1), 256, t + 1, t, exp), None),
        (request(miner, piece(1), 256, t, t, now - 1), None),
        (
            request(miner, piece(1), 256, t, t, now + MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION + 1),
            None,
        ),
        (request(alice_id, piece(1), 256, t, t, exp), None),
        (request(miner, piece(1), 256, t, t, exp), Some(512)),
    ];
    for (req, amount) in cases {
        let ret = allocate(&mut s, vec![req.clone()], amount);
        assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
        assert_eq!(datacap_of(&mut s.net, &client), whole(4096), "{req:?}");
    }
    let at_limits =
        request(miner, piece(1), 256, t, max, now + MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION);
    assert_exit(&allocate(&mut s, vec![at_limits], None), ExitCode::OK);
    assert_eq!(datacap_of(&mut s.net, &REGISTRY), whole(256));
}

#[test]
fn two_verifiers_signatures_remove_a_clients_datacap() {
    let mut s = setup();
    verified_client(&mut s);
    let (alice, bob, carol, client) =
        (s.net.alice.address(), s.net.bob.address(), s.net.carol.address(), s.client);
    assert_exit(&add_verifier(&mut s.net, &carol, 1000), ExitCode::OK);

    let proposal = |id| {
        let p = RemoveDataCapProposal {
            verified_client: Address::new_id(s.client_id),
            data_cap_amount: 1000.into(),
            removal_proposal_id: RemoveDataCapProposalID { id },
        };
        [SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP, &cbor(&p)].concat()
    };
    let params = |id| RemoveDataCapParams {
        verified_client_to_remove: client,
        data_cap_amount_to_remove: 1000.into(),
        verifier_request_1: RemoveDataCapRequest {
            verifier: alice,
            signature: s.net.alice.sign(&proposal(id)),
        },
        verifier_request_2: RemoveDataCapRequest {
            verifier: carol,
            signature: s.net.carol.sign(&proposal(id)),
        },
    };
    let (first, second) = (params(0), params(1));
    // Only the root submits them.
    assert_exit(
        &call(&mut s.net, &alice, REMOVE_VERIFIED_CLIENT_DATA_CAP_METHOD, &first),
        ExitCode::USR_FORBIDDEN,
    );
    let out: RemoveDataCapReturn =
        decode(&call(&mut s.net, &bob, REMOVE_VERIFIED_CLIENT_DATA_CAP_METHOD, &first));
    assert_eq!(
        (out.verified_client, out.data_cap_removed),
        (Address::new_id(s.client_id), BigInt::from(1000))
    );
    assert_eq!(datacap_of(&mut s.net, &client), whole(3096));
    // A replay signs an id already used: the accounts refuse it (16).
    assert_exit(
        &call(&mut s.net, &bob, REMOVE_VERIFIED_CLIENT_DATA_CAP_METHOD, &first),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    // The same verifier twice: 16.
    let mut twice = second.clone();
    twice.verifier_request_2 = twice.verifier_request_1.clone();
    assert_exit(
        &call(&mut s.net, &bob, REMOVE_VERIFIED_CLIENT_DATA_CAP_METHOD, &twice),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    // The next ids work.
    assert_exit(
        &call(&mut s.net, &bob, REMOVE_VERIFIED_CLIENT_DATA_CAP_METHOD, &second),
        ExitCode::OK,
    );
    assert_eq!(datacap_of(&mut s.net, &client), whole(2096));
}

#[test]
fn genesis_state_is_empty_with_ids_from_one() {
    let mut s = setup();
    let st: VerifregState = s.net.state(&REGISTRY);
    assert_eq!(st.next_allocation_id, 1);
    assert_eq!(st.verifiers, st.allocations);
    assert_eq!(st.claims, st.remove_data_cap_proposal_ids);
    // The state block is the network's 6-tuple.
    let head = s.net.actor(&REGISTRY).unwrap().state;
    let raw = fvm_ipld_blockstore::Blockstore::get(s.net.exec.store(), &head).unwrap().unwrap();
    assert_eq!(raw[0], 0x86);
}
