//! Restarting from a data directory, including after the process was killed mid-mining.

use std::io::{BufRead, BufReader};
use std::process::Command;
use std::process::Stdio;

use alloy_primitives::Address as EthAddress;
use chain::{ChainConfig, DevApi, DevNode, FullNode, MiningMode};
use fvm_shared::econ::TokenAmount;

use super::harness::*;

#[test]
fn a_restart_resumes_exactly_where_the_chain_stopped() {
    let dir = temp_dir("restart");
    let config = ChainConfig { data_dir: Some(dir.clone()), ..config(MiningMode::Manual) };
    let to = EthAddress::repeat_byte(0x55);
    let (head_hash, tx_hash) = {
        let node = DevNode::start(config.clone()).unwrap();
        let k = key(&node, 0);
        let pending = push(&node, &eip1559(&k, 0, Some(to), 12_345, vec![]));
        node.mine(3).unwrap();
        (node.chain_head().hash, pending.eth_hash)
    };
    let node = DevNode::start(config.clone()).unwrap();
    let head = node.chain_head();
    assert_eq!((head.height(), head.hash), (3, head_hash));
    assert_eq!(balance(&node, &f410(to)), TokenAmount::from_atto(12_345));
    let at = node.state_search_tx(&tx_hash).unwrap().unwrap();
    assert!(receipt(&node, at).exit_code.is_success());
    assert_eq!(node.mpool_get_nonce(&f410(key(&node, 0).address())).unwrap(), 1);
    // The chain goes on from there.
    assert_eq!(node.mine(1).unwrap()[0].height(), 4);
    drop(node);

    let other = ChainConfig { chain_id: 314, ..config };
    let err = DevNode::start(other).unwrap_err().to_string();
    assert!(err.contains("chain id 31415926"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

/// What the kill test's child prints after each committed tipset, followed by its height.
const COMMITTED: &str = "committed tipset ";

/// Run by `a_killed_node_restarts_at_its_last_committed_tipset` in a child process: mines
/// transfers as fast as it can until it is killed.
#[test]
#[ignore = "helper process for the kill test"]
fn kill_test_child() {
    let Some(dir) = std::env::var_os("FEVM_KILL_TEST_DIR") else { return };
    let config = ChainConfig { data_dir: Some(dir.into()), ..config(MiningMode::Manual) };
    let node = DevNode::start(config).unwrap();
    let k = key(&node, 0);
    for nonce in 0.. {
        push(&node, &eip1559(&k, nonce, Some(EthAddress::repeat_byte(0x66)), 1, vec![]));
        let height = node.mine(1).unwrap()[0].height();
        // The parent kills this process once it has read enough of these.
        println!("{COMMITTED}{height}");
    }
}

#[test]
fn a_killed_node_restarts_at_its_last_committed_tipset() {
    let dir = temp_dir("kill");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "node::persistence::kill_test_child", "--nocapture"])
        .env("FEVM_KILL_TEST_DIR", &dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it in the middle of mining, once it has committed a few tipsets (and is working on
    // more): whatever it was writing must not be seen after the restart.
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let committed = lines
        .map_while(Result::ok)
        .filter_map(|line| line.strip_prefix(COMMITTED).and_then(|h| h.parse::<i64>().ok()))
        .find(|&height| height >= 5);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(committed.is_some(), "the child stopped before committing 5 tipsets");

    let config = ChainConfig { data_dir: Some(dir.clone()), ..config(MiningMode::Manual) };
    let node = DevNode::start(config).unwrap();
    let head = node.chain_head();
    assert!(head.height() > 2, "the child mined only {} tipsets", head.height());
    // Every committed tipset is complete: its messages, receipts and state load, and the
    // transfers it recorded are all in the state.
    let mut transfers = 0;
    for h in 0..=head.height() {
        let ts = node.chain_get_tipset_by_height(h).unwrap().unwrap();
        assert_eq!(node.chain_get_messages(&ts).unwrap().len(), ts.messages.len());
        assert_eq!(node.chain_get_receipts(&ts).unwrap().len(), ts.messages.len());
        transfers += ts.messages.len();
    }
    assert_eq!(
        balance(&node, &f410(EthAddress::repeat_byte(0x66))),
        TokenAmount::from_atto(transfers as u64)
    );
    assert_eq!(node.mpool_get_nonce(&f410(key(&node, 0).address())).unwrap(), transfers as u64);
    assert_eq!(node.mine(1).unwrap()[0].height(), head.height() + 1);
    std::fs::remove_dir_all(dir).ok();
}
