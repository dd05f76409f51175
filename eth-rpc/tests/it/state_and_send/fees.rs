//! `eth_gasPrice`, `eth_maxPriorityFeePerGas`, `eth_baseFee` and `eth_feeHistory`.

use alloy::providers::{Provider, ProviderBuilder};
use alloy_consensus::TxEip1559;
use alloy_primitives::{Address, TxKind, U256};
use alloy_rpc_types_eth::{BlockNumberOrTag, FeeHistory};
use chain::{DevApi, FullNode};
use serde_json::{Value, json};

use super::*;
use crate::support::TestNet;

/// A transfer from dev account `from` with tip `tip`.
fn tipped(net: &TestNet, from: usize, tip: u128) -> Vec<u8> {
    let signer = key(net, from);
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: next_nonce(net, &signer),
        gas_limit: GAS,
        max_fee_per_gas: FEE_CAP,
        max_priority_fee_per_gas: tip,
        to: TxKind::Call(Address::repeat_byte(0x70 + from as u8)),
        value: U256::from(1),
        access_list: Default::default(),
        input: Default::default(),
    };
    sign_1559(&signer, tx)
}

async fn quantity(net: &TestNet, method: &str) -> u128 {
    from_json::<U256>(net.call(method, json!([])).await).to()
}

fn next_base_fee(net: &TestNet) -> u128 {
    net.node.next_base_fee().atto().try_into().unwrap()
}

fn base_fee_at(net: &TestNet, height: i64) -> u128 {
    let ts = net.node.chain_get_tipset_by_height(height).unwrap().unwrap();
    ts.base_fee().atto().try_into().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_follow_recent_tips_with_a_floor() {
    let net = TestNet::manual().await;
    // Nothing sent yet: the floor, 100,000 attoFIL.
    assert_eq!(quantity(&net, "eth_maxPriorityFeePerGas").await, 100_000);
    assert_eq!(quantity(&net, "eth_baseFee").await, next_base_fee(&net));
    assert_eq!(quantity(&net, "eth_gasPrice").await, next_base_fee(&net) + 100_000);

    // Three equal transfers tipping 2, 3 and 4 million: the gas-weighted median is 3 million.
    let mut hashes = Vec::new();
    for (from, tip) in [(0, 2_000_000), (1, 4_000_000), (2, 3_000_000)] {
        hashes.push(send_raw(&net, &tipped(&net, from, tip)).await);
    }
    net.node.mine(1).unwrap();
    for hash in hashes {
        mined(&net, hash).await;
    }
    assert_eq!(quantity(&net, "eth_maxPriorityFeePerGas").await, 3_000_000);
    assert_eq!(quantity(&net, "eth_gasPrice").await, next_base_fee(&net) + 3_000_000);
    assert_eq!(quantity(&net, "eth_baseFee").await, next_base_fee(&net));

    // Tips below the floor suggest the floor.
    let mut hashes = Vec::new();
    for from in 3..7 {
        hashes.push(send_raw(&net, &tipped(&net, from, 10)).await);
    }
    net.node.mine(1).unwrap();
    for hash in hashes {
        mined(&net, hash).await;
    }
    // Now 4 × 10 and 3 × millions in the window: the median is 10, floored.
    assert_eq!(quantity(&net, "eth_maxPriorityFeePerGas").await, 100_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fee_history_reports_base_fees_ratios_and_rewards() {
    let net = TestNet::manual().await;
    net.node.mine(2).unwrap();
    let low = send_raw(&net, &tipped(&net, 0, 2_000_000)).await;
    let high = send_raw(&net, &tipped(&net, 1, 4_000_000)).await;
    net.node.mine(1).unwrap();
    let (low_at, high_at) = (mined(&net, low).await, mined(&net, high).await);
    assert_eq!(low_at.height, high_at.height);
    let busy = low_at.height;
    net.node.mine(1).unwrap();
    let head = net.node.chain_head().height();
    assert_eq!(head, busy + 1);

    let history: FeeHistory =
        from_json(net.call("eth_feeHistory", json!(["0x4", "latest", [0, 50, 100]])).await);
    assert_eq!(history.oldest_block, (head - 3) as u64);
    let expected: Vec<u128> = (head - 3..=head).map(|h| base_fee_at(&net, h)).collect();
    assert_eq!(history.base_fee_per_gas[..4], expected[..]);
    assert_eq!(history.base_fee_per_gas.len(), 5);
    assert_eq!(history.base_fee_per_gas[4], next_base_fee(&net), "the real next base fee");
    for (i, h) in (head - 3..=head).enumerate() {
        let ts = net.node.chain_get_tipset_by_height(h).unwrap().unwrap();
        assert_eq!(history.gas_used_ratio[i], ts.gas_used as f64 / 1e10, "block {h}");
    }
    let busy_index = (busy - (head - 3)) as usize;
    assert!(history.gas_used_ratio[busy_index] > 0.0);
    let rewards = history.reward.expect("rewards");
    assert_eq!(rewards.len(), 4);
    let (low_gas, high_gas) = (receipt(&net, low_at).gas_used, receipt(&net, high_at).gas_used);
    let median = if low_gas >= high_gas { 2_000_000 } else { 4_000_000 };
    for (i, reward) in rewards.iter().enumerate() {
        if i == busy_index {
            assert_eq!(reward, &vec![2_000_000, median, 4_000_000]);
        } else {
            assert_eq!(reward, &vec![0, 0, 0], "empty block {i}");
        }
    }

    // Ending at a past block: its successor's base fee comes last.
    let past: FeeHistory =
        from_json(net.call("eth_feeHistory", json!([1, qty(busy as u64)])).await);
    assert_eq!(past.oldest_block, busy as u64);
    assert_eq!(past.base_fee_per_gas, vec![base_fee_at(&net, busy), base_fee_at(&net, busy + 1)]);
    let raw = net.call("eth_feeHistory", json!([1, qty(busy as u64)])).await;
    assert!(raw.get("reward").is_none(), "no percentiles, no rewards: {raw}");

    // More blocks than the chain has: it stops at genesis.
    let all: FeeHistory = from_json(net.call("eth_feeHistory", json!(["64", "latest", []])).await);
    assert_eq!(all.oldest_block, 0);
    assert_eq!(all.gas_used_ratio.len(), head as usize + 1);
    assert_eq!(all.base_fee_per_gas.len(), head as usize + 2);
    let none = net.call("eth_feeHistory", json!(["0x0", "latest"])).await;
    assert_eq!(none["gasUsedRatio"], json!([]));

    // alloy reads it.
    let provider = ProviderBuilder::new().connect_http(net.url.parse().unwrap());
    let typed = provider.get_fee_history(2, BlockNumberOrTag::Latest, &[25.0]).await.unwrap();
    assert_eq!(typed.oldest_block, (head - 1) as u64);
    assert_eq!(typed.next_block_base_fee(), Some(next_base_fee(&net)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fee_history_limits() {
    let net = TestNet::manual().await;
    let err = |params: Value| {
        let net = &net;
        async move { net.error("eth_feeHistory", params).await }
    };
    let e = err(json!(["0x401", "latest"])).await;
    assert_eq!(
        e,
        json!({ "code": -32005, "message": "block count exceeds maximum of 1024 (got 1025)" })
    );
    let e = err(json!([4, "latest", [50, 10]])).await;
    assert_eq!(e["code"], -32602, "{e}");
    let e = err(json!([4, "latest", [101]])).await;
    assert_eq!(e["code"], -32602, "{e}");
    let e = err(json!([4, "latest", [-1]])).await;
    assert_eq!(e["code"], -32602, "{e}");
    let many: Vec<f64> = (0..101).map(|i| f64::from(i) / 2.0).collect();
    let e = err(json!([4, "latest", many])).await;
    assert_eq!(e["code"], -32005, "{e}");
    let e = err(json!([4, "0x100"])).await;
    assert_eq!(e["code"], -32001, "a block beyond the head: {e}");
    let e = err(json!(["ten", "latest"])).await;
    assert_eq!(e["code"], -32602, "{e}");
    let e = err(json!([])).await;
    assert_eq!(e["code"], -32602, "{e}");
    // The limits themselves are fine.
    let ok = net.call("eth_feeHistory", json!(["0x400", "latest", vec![50.0; 100]])).await;
    assert_eq!(ok["oldestBlock"], "0x0");
}
