//! Cron (f03): the end-of-epoch tick calls every entry in order, survives a failing entry, and
//! only the system actor may tick it.

use filecoin_vm::genesis::install_singleton;
use filecoin_vm::{ApplyKind, BuiltinType, SYSTEM_ACTOR_ID};
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use multihash_codetable::Code;
use storage_actors::CRON_ACTOR_ID;
use storage_actors::cron::{CronEntry, CronState, EPOCH_TICK_METHOD};

use crate::harness::{Net, assert_exit};

fn tick(net: &mut Net) -> filecoin_vm::ApplyRet {
    let msg = Message {
        version: 0,
        from: Address::new_id(SYSTEM_ACTOR_ID),
        to: Address::new_id(CRON_ACTOR_ID),
        sequence: 0,
        value: TokenAmount::default(),
        method_num: EPOCH_TICK_METHOD,
        params: Default::default(),
        gas_limit: 100_000_000_000_000,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    };
    net.exec.apply_message(&msg, ApplyKind::Implicit).unwrap()
}

#[test]
fn a_tick_calls_each_entry_in_order_and_survives_failures() {
    let mut net = Net::with_genesis(|tree| {
        let entries = vec![
            // The burnt-funds account (f099): its constructor refuses any caller but the system
            // (a failing entry); PubkeyAddress answers.
            CronEntry { receiver: Address::new_id(99), method_num: 1 },
            CronEntry { receiver: Address::new_id(99), method_num: 2 },
        ];
        let state = tree.store().put_cbor(&CronState { entries }, Code::Blake2b256).unwrap();
        install_singleton(tree, CRON_ACTOR_ID, BuiltinType::Cron.code_cid(), state);
    });
    let ret = tick(&mut net);
    assert_exit(&ret, ExitCode::OK);
    let trace = ret.trace.expect("a trace");
    let calls: Vec<_> = trace.subcalls.iter().map(|c| (c.method, c.exit_code)).collect();
    assert_eq!(calls, vec![(1, ExitCode::USR_FORBIDDEN), (2, ExitCode::OK)]);

    // Anyone but the system actor is refused.
    let alice = net.alice.address();
    let cron = Address::new_id(CRON_ACTOR_ID);
    let ret = net.send::<()>(&alice, &cron, EPOCH_TICK_METHOD, None, TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
}
