//! Control methods through the VM: getters, peer info, worker and owner changes.

use fvm_ipld_encoding::BytesDe;
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use storage_actors::miner::types::*;

use super::setup::*;
use crate::harness::{FIL, Key, assert_exit, decode};

#[test]
fn getters_and_peer_info() {
    let mut net = net();
    let (alice, bob, carol) = (net.alice.address(), net.bob.address(), net.carol.address());
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let alice_id = Address::new_id(net.id(&alice));

    let owner: GetOwnerReturn =
        decode(&call::<()>(&mut net, &bob, &miner, GET_OWNER_EXPORTED, None));
    assert_eq!(owner.owner, alice_id);
    assert_eq!(owner.proposed, None);

    for (who, expect) in
        [(alice, true), (carol, true), (bob, false), (Key::secp(77).address(), false)]
    {
        let r: IsControllingAddressReturn = decode(&call(
            &mut net,
            &bob,
            &miner,
            IS_CONTROLLING_ADDRESS_EXPORTED,
            Some(&IsControllingAddressParam { address: who }),
        ));
        assert_eq!(r.is_controlling, expect, "{who}");
    }
    let p: GetPeerIDReturn =
        decode(&call::<()>(&mut net, &bob, &miner, GET_PEER_ID_EXPORTED, None));
    assert_eq!(p.peer_id, b"peer-id".to_vec());
    let m: GetMultiaddrsReturn =
        decode(&call::<()>(&mut net, &bob, &miner, GET_MULTIADDRS_EXPORTED, None));
    assert_eq!(m.multi_addrs.len(), 1);

    // Peer ID: control only, size-bounded.
    let ret = call(
        &mut net,
        &bob,
        &miner,
        CHANGE_PEER_ID_EXPORTED,
        Some(&ChangePeerIDParams { new_id: vec![1; 4] }),
    );
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let ret = call(
        &mut net,
        &carol,
        &miner,
        CHANGE_PEER_ID_METHOD,
        Some(&ChangePeerIDParams { new_id: vec![1; 129] }),
    );
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let ret = call(
        &mut net,
        &carol,
        &miner,
        CHANGE_PEER_ID_METHOD,
        Some(&ChangePeerIDParams { new_id: vec![1; 4] }),
    );
    assert_exit(&ret, ExitCode::OK);
    let p: GetPeerIDReturn =
        decode(&call::<()>(&mut net, &bob, &miner, GET_PEER_ID_EXPORTED, None));
    assert_eq!(p.peer_id, vec![1; 4]);
    let ret = call(
        &mut net,
        &alice,
        &miner,
        CHANGE_MULTIADDRS_METHOD,
        Some(&ChangeMultiaddrsParams { new_multi_addrs: vec![BytesDe(vec![])] }),
    );
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let ret = call(
        &mut net,
        &alice,
        &miner,
        CHANGE_MULTIADDRS_METHOD,
        Some(&ChangeMultiaddrsParams { new_multi_addrs: vec![BytesDe(vec![3; 1025])] }),
    );
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let ret = call(
        &mut net,
        &alice,
        &miner,
        CHANGE_MULTIADDRS_EXPORTED,
        Some(&ChangeMultiaddrsParams {
            new_multi_addrs: vec![BytesDe(vec![3; 5]), BytesDe(vec![4; 5])],
        }),
    );
    assert_exit(&ret, ExitCode::OK);
    let m: GetMultiaddrsReturn =
        decode(&call::<()>(&mut net, &bob, &miner, GET_MULTIADDRS_EXPORTED, None));
    assert_eq!(m.multi_addrs, vec![BytesDe(vec![3; 5]), BytesDe(vec![4; 5])]);

    // Funds getters.
    let st = miner_state(&mut net, &miner);
    let v: GetVestingFundsReturn =
        decode(&call::<()>(&mut net, &bob, &miner, GET_VESTING_FUNDS_EXPORTED, None));
    let total: TokenAmount = v.vesting_funds.iter().map(|(_, a)| a.clone()).sum();
    assert_eq!(total, st.locked_funds);
    assert!(!v.vesting_funds.is_empty());
    let a: GetAvailableBalanceReturn =
        decode(&call::<()>(&mut net, &bob, &miner, GET_AVAILABLE_BALANCE_EXPORTED, None));
    assert_eq!(a.available_balance, net.balance(&miner) - &st.locked_funds);
    let ip: InitialPledgeReturn =
        decode(&call::<()>(&mut net, &bob, &miner, INITIAL_PLEDGE_EXPORTED, None));
    assert!(ip.initial_pledge.is_zero());
    let fee: MaxTerminationFeeReturn = decode(&call(
        &mut net,
        &bob,
        &miner,
        MAX_TERMINATION_FEE_EXPORTED,
        Some(&MaxTerminationFeeParams {
            power: BigInt::from(2048),
            initial_pledge: TokenAmount::from_atto(1000 * FIL),
        }),
    ));
    assert_eq!(fee.max_fee, TokenAmount::from_atto(85 * FIL));
    println!("deposit {} available {}", st.locked_funds, a.available_balance);
}

#[test]
fn worker_and_owner_changes() {
    let mut net = net();
    let (alice, bob, carol) = (net.alice.address(), net.bob.address(), net.carol.address());
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    // A second BLS account.
    let dan = Key::bls(9).address();
    let ret = net.send::<()>(&alice, &dan, 0, None, TokenAmount::from_atto(FIL));
    assert_exit(&ret, ExitCode::OK);
    let dan_id = Address::new_id(net.id(&dan));
    let bob_id = Address::new_id(net.id(&bob));
    let carol_id = Address::new_id(net.id(&carol));

    // Not the owner.
    let p = ChangeWorkerAddressParams { new_worker: dan_id, new_control_addresses: vec![bob] };
    assert_exit(
        &call(&mut net, &carol, &miner, CHANGE_WORKER_ADDRESS_METHOD, Some(&p)),
        ExitCode::USR_FORBIDDEN,
    );
    // Secp worker (params checked before the caller).
    let bad = ChangeWorkerAddressParams { new_worker: bob, new_control_addresses: vec![] };
    assert_exit(
        &call(&mut net, &carol, &miner, CHANGE_WORKER_ADDRESS_METHOD, Some(&bad)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    // Too many controls.
    let many =
        ChangeWorkerAddressParams { new_worker: carol, new_control_addresses: vec![bob; 11] };
    assert_exit(
        &call(&mut net, &alice, &miner, CHANGE_WORKER_ADDRESS_METHOD, Some(&many)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    // Unresolvable control.
    let unk = ChangeWorkerAddressParams {
        new_worker: carol,
        new_control_addresses: vec![Key::secp(55).address()],
    };
    assert_exit(
        &call(&mut net, &alice, &miner, CHANGE_WORKER_ADDRESS_METHOD, Some(&unk)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );

    assert_exit(
        &call(&mut net, &alice, &miner, CHANGE_WORKER_ADDRESS_EXPORTED, Some(&p)),
        ExitCode::OK,
    );
    let info = miner_state(&mut net, &miner).get_info(net.exec.store()).unwrap();
    assert_eq!(info.control_addresses, vec![bob_id]);
    assert_eq!(info.worker, carol_id);
    let pending = info.pending_worker_key.unwrap();
    assert_eq!(pending.new_worker, dan_id);
    assert_eq!(pending.effective_at, net.epoch + 900);
    // Bob (control) may now change peer info.
    assert_exit(
        &call(
            &mut net,
            &bob,
            &miner,
            CHANGE_PEER_ID_METHOD,
            Some(&ChangePeerIDParams { new_id: vec![] }),
        ),
        ExitCode::OK,
    );
    // Too early: nothing happens.
    assert_exit(
        &call::<()>(&mut net, &alice, &miner, CONFIRM_CHANGE_WORKER_ADDRESS_METHOD, None),
        ExitCode::OK,
    );
    assert_exit(
        &call::<()>(&mut net, &carol, &miner, CONFIRM_CHANGE_WORKER_ADDRESS_METHOD, None),
        ExitCode::USR_FORBIDDEN,
    );
    let info = miner_state(&mut net, &miner).get_info(net.exec.store()).unwrap();
    assert_eq!(info.worker, carol_id);
    net.advance(900);
    assert_exit(
        &call::<()>(&mut net, &alice, &miner, CONFIRM_CHANGE_WORKER_ADDRESS_EXPORTED, None),
        ExitCode::OK,
    );
    let info = miner_state(&mut net, &miner).get_info(net.exec.store()).unwrap();
    assert_eq!(info.worker, dan_id);
    assert!(info.pending_worker_key.is_none());

    // Owner change.
    let alice_id = Address::new_id(net.id(&alice));
    let to_bob = ChangeOwnerAddressParams { new_owner: bob_id };
    let robust = ChangeOwnerAddressParams { new_owner: bob };
    assert_exit(
        &call(&mut net, &alice, &miner, CHANGE_OWNER_ADDRESS_METHOD, Some(&robust)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert_exit(
        &call(&mut net, &bob, &miner, CHANGE_OWNER_ADDRESS_METHOD, Some(&to_bob)),
        ExitCode::USR_FORBIDDEN,
    );
    assert_exit(
        &call(&mut net, &alice, &miner, CHANGE_OWNER_ADDRESS_EXPORTED, Some(&to_bob)),
        ExitCode::OK,
    );
    let o: GetOwnerReturn = decode(&call::<()>(&mut net, &bob, &miner, GET_OWNER_EXPORTED, None));
    assert_eq!((o.owner, o.proposed), (alice_id, Some(bob_id)));
    assert_exit(
        &call(&mut net, &carol, &miner, CHANGE_OWNER_ADDRESS_METHOD, Some(&to_bob)),
        ExitCode::USR_FORBIDDEN,
    );
    let wrong = ChangeOwnerAddressParams { new_owner: carol_id };
    assert_exit(
        &call(&mut net, &bob, &miner, CHANGE_OWNER_ADDRESS_METHOD, Some(&wrong)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert_exit(
        &call(&mut net, &bob, &miner, CHANGE_OWNER_ADDRESS_METHOD, Some(&to_bob)),
        ExitCode::OK,
    );
    let info = miner_state(&mut net, &miner).get_info(net.exec.store()).unwrap();
    assert_eq!(info.owner, bob_id);
    assert_eq!(info.beneficiary, bob_id);
    assert_eq!(info.pending_owner_address, None);
    // A withdrawn proposal.
    let to_alice = ChangeOwnerAddressParams { new_owner: alice_id };
    assert_exit(
        &call(&mut net, &bob, &miner, CHANGE_OWNER_ADDRESS_METHOD, Some(&to_alice)),
        ExitCode::OK,
    );
    let back = ChangeOwnerAddressParams { new_owner: bob_id };
    assert_exit(
        &call(&mut net, &bob, &miner, CHANGE_OWNER_ADDRESS_METHOD, Some(&back)),
        ExitCode::OK,
    );
    let info = miner_state(&mut net, &miner).get_info(net.exec.store()).unwrap();
    assert_eq!(info.pending_owner_address, None);
}
