//! The tipset's actor events: a built-in actor's FIP-0083 event is indexed with its tipset,
//! exactly as emitted, and the receipt's events AMT is kept in the store as Lotus keeps it.

use chain::{ChainConfig, DevApi, DevNode, EventSource, FullNode, MiningMode};
use fvm_ipld_amt::Amt;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::StampedEvent;
use storage_actors::verifreg::{ADD_VERIFIER_METHOD, AddVerifierParams};

use super::harness::*;

const CBOR: u64 = 0x51;

#[test]
fn a_verifier_added_by_the_root_key_is_an_indexed_event_of_its_tipset() {
    let config = ChainConfig { f1_accounts: 1, ..config(MiningMode::Manual) };
    let node = DevNode::start(config).unwrap();
    // The mnemonic's first f1 key is the verified registry's root.
    let root = node.native_accounts()[0].clone();
    let verifier = f410(node.dev_accounts()[1].address);
    let params = AddVerifierParams { address: verifier, allowance: BigInt::from(1u64 << 20) };
    let msg = fvm_shared::message::Message {
        version: 0,
        from: root.address,
        to: Address::new_id(storage_actors::VERIFIED_REGISTRY_ACTOR_ID),
        sequence: 0,
        value: TokenAmount::default(),
        method_num: ADD_VERIFIER_METHOD,
        params: RawBytes::serialize(&params).unwrap(),
        gas_limit: GAS,
        gas_fee_cap: TokenAmount::from_atto(FEE_CAP),
        gas_premium: TokenAmount::from_atto(TIP),
    };
    let signed = chain::message::sign_secp(msg, &root.signer).unwrap();
    node.mpool_push(signed.clone()).unwrap();
    let tipset = node.mine(1).unwrap().remove(0);
    let at = node.state_search_msg(&signed.cid()).unwrap().unwrap();
    let r = receipt(&node, at);
    assert!(r.exit_code.is_success(), "{r:?}");

    let events = node.chain_get_events(&tipset).unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.source, EventSource::Message(0));
    assert_eq!(event.event_index, 0);
    assert_eq!(event.emitter, storage_actors::VERIFIED_REGISTRY_ACTOR_ID);
    let keys: Vec<&str> = event.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["$type", "verifier", "balance"]);
    assert!(event.entries.iter().all(|e| e.codec == CBOR), "built-in events are CBOR");
    let kind: String = fvm_ipld_encoding::from_slice(event.value("$type").unwrap()).unwrap();
    assert_eq!(kind, "verifier-balance");
    let (verifier_id, _) = node.state_get_actor(&verifier, &node.chain_head()).unwrap().unwrap();
    let named: u64 = fvm_ipld_encoding::from_slice(event.value("verifier").unwrap()).unwrap();
    assert_eq!(named, verifier_id);

    // The receipt's events AMT resolves in the node's store (what ChainGetEvents reads).
    let amt_root = r.events_root.expect("an events root");
    let amt = Amt::<StampedEvent, _>::load(&amt_root, &**node.store()).unwrap();
    let stored = amt.get(0).unwrap().expect("the event");
    assert_eq!(stored.emitter, event.emitter);
    assert_eq!(stored.event.entries, event.entries);

    // An empty tipset has no events: cron and the block reward emit none on a quiet devnet.
    let next = node.mine(1).unwrap().remove(0);
    assert!(node.chain_get_events(&next).unwrap().is_empty());
}
