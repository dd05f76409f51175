//! Genesis storage providers: f01000 exists as a storage miner, produces the blocks, and is
//! paid each block's tips through the reward actor, three quarters of them vesting.

use chain::providers::{FIRST_PROVIDER_ID, PROVIDER_STAKE_FIL};
use chain::{ChainConfig, DevApi, DevNode, FullNode, MiningMode};
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use storage_actors::miner::state::MinerState;

use super::harness::*;

fn miner_state(node: &DevNode) -> MinerState {
    let head = node.chain_head();
    let (_, actor) =
        node.state_get_actor(&Address::new_id(FIRST_PROVIDER_ID), &head).unwrap().unwrap();
    node.store().get_cbor(&actor.state).unwrap().unwrap()
}

#[test]
fn the_block_producer_is_a_genesis_miner_paid_the_tips() {
    let config = ChainConfig { providers: 1, ..config(MiningMode::Manual) };
    let node = DevNode::start(config).unwrap();
    let miner = Address::new_id(FIRST_PROVIDER_ID);
    assert_eq!(balance(&node, &miner), TokenAmount::from_whole(PROVIDER_STAKE_FIL));
    let deposit = miner_state(&node).locked_funds;

    let k = key(&node, 0);
    let to = alloy_primitives::Address::repeat_byte(0x42);
    let pending = push(&node, &eip1559(&k, 0, Some(to), 1, vec![]));
    node.mine(1).unwrap();
    let at = wait_for(&node, &pending.eth_hash);
    let r = receipt(&node, at);
    assert!(r.exit_code.is_success());

    // The tip (premium × gas limit) went to f02 and from there to the miner.
    let tip = TokenAmount::from_atto(TIP) * GAS;
    assert_eq!(balance(&node, &miner), TokenAmount::from_whole(PROVIDER_STAKE_FIL) + &tip);
    assert_eq!(balance(&node, &Address::new_id(2)), TokenAmount::default());
    let locked = miner_state(&node).locked_funds - deposit;
    assert_eq!(locked, (tip * 3u64).div_floor(4u64));
}
