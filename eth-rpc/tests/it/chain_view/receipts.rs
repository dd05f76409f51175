//! `eth_getTransactionReceipt` and `eth_getBlockReceipts`.

use alloy_primitives::{Address, B256, Bloom, BloomInput, U256};
use chain::FullNode;

use fvm_shared::bigint::BigInt;
use serde_json::{Value, json};

use super::{SUPPLY, Scenario, from_json, qty, tipset, topic};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_report_status_gas_fees_logs_and_contract_address() {
    let s = Scenario::build().await;
    let net = &s.net;
    let block = tipset(net, 1);
    let fvm = net.node.chain_get_receipts(&block).unwrap();

    // The deployment.
    let deploy = net.call("eth_getTransactionReceipt", json!([s.deploy])).await;
    assert_eq!(deploy["status"], "0x1");
    assert_eq!(deploy["type"], "0x2");
    assert_eq!(deploy["transactionHash"], json!(s.deploy));
    assert_eq!(deploy["transactionIndex"], "0x0");
    assert_eq!(deploy["blockHash"], json!(block.hash));
    assert_eq!(deploy["blockNumber"], "0x1");
    assert_eq!(from_json::<Address>(deploy["from"].clone()), s.accounts[0]);
    assert_eq!(deploy["to"], Value::Null);
    assert_eq!(from_json::<Address>(deploy["contractAddress"].clone()), s.token);
    assert_eq!(deploy["gasUsed"], qty(fvm[0].gas_used));
    assert_eq!(deploy["cumulativeGasUsed"], qty(fvm[0].gas_used));
    let price = block.fees[0].atto() / BigInt::from(fvm[0].gas_used);
    assert_eq!(deploy["effectiveGasPrice"], qty(u128::try_from(&price).unwrap()));
    assert!(u128::try_from(&price).unwrap() > 0);
    // The mint's Transfer(0 → deployer, SUPPLY).
    let logs = deploy["logs"].as_array().expect("logs");
    assert_eq!(logs.len(), 1);
    let mint = &logs[0];
    assert_eq!(from_json::<Address>(mint["address"].clone()), s.token);
    assert_eq!(
        mint["topics"],
        json!([Scenario::transfer_topic(), topic(Address::ZERO), topic(s.accounts[0])])
    );
    assert_eq!(from_json::<U256>(mint["data"].clone()), U256::from(SUPPLY));
    assert_eq!(mint["logIndex"], "0x0");
    assert_eq!(mint["transactionIndex"], "0x0");
    assert_eq!(mint["transactionHash"], json!(s.deploy));
    assert_eq!(mint["blockHash"], json!(block.hash));
    assert_eq!(mint["removed"], false);
    let bloom: Bloom = from_json(deploy["logsBloom"].clone());
    assert!(bloom.contains_input(BloomInput::Raw(s.token.as_slice())));
    assert!(bloom.contains_input(BloomInput::Raw(topic(s.accounts[0]).as_slice())));
    assert!(!bloom.contains_input(BloomInput::Raw(topic(s.accounts[1]).as_slice())));

    // The transfer in the same block: cumulative gas and a block-relative log index.
    let transfer = net.call("eth_getTransactionReceipt", json!([s.transfer1])).await;
    assert_eq!(transfer["status"], "0x1");
    assert_eq!(transfer["contractAddress"], Value::Null);
    assert_eq!(from_json::<Address>(transfer["to"].clone()), s.token);
    assert_eq!(transfer["gasUsed"], qty(fvm[1].gas_used));
    assert_eq!(transfer["cumulativeGasUsed"], qty(fvm[0].gas_used + fvm[1].gas_used));
    let log = &transfer["logs"][0];
    assert_eq!(log["logIndex"], "0x1");
    assert_eq!(log["transactionIndex"], "0x1");
    assert_eq!(log["topics"][2], json!(topic(s.accounts[1])));
    assert_eq!(from_json::<U256>(log["data"].clone()), U256::from(25u64));

    // The failed transfer: status 0, gas used, no logs, an empty bloom.
    let failed = net.call("eth_getTransactionReceipt", json!([s.failed])).await;
    assert_eq!(failed["status"], "0x0");
    assert_eq!(failed["logs"], json!([]));
    assert_eq!(from_json::<Bloom>(failed["logsBloom"].clone()), Bloom::ZERO);
    assert_ne!(failed["gasUsed"], "0x0");
    assert_eq!(failed["contractAddress"], Value::Null);

    // Unknown: null.
    let unknown = net.call("eth_getTransactionReceipt", json!([B256::repeat_byte(9)])).await;
    assert_eq!(unknown, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_receipts_are_the_receipts_of_the_block() {
    let s = Scenario::build().await;
    let net = &s.net;
    let block1 = tipset(net, 1);
    let deploy = net.call("eth_getTransactionReceipt", json!([s.deploy])).await;
    let transfer = net.call("eth_getTransactionReceipt", json!([s.transfer1])).await;
    let expected = json!([deploy, transfer]);
    assert_eq!(net.call("eth_getBlockReceipts", json!(["0x1"])).await, expected);
    assert_eq!(net.call("eth_getBlockReceipts", json!([block1.hash])).await, expected);
    let eip1898 = json!([{ "blockHash": block1.hash }]);
    assert_eq!(net.call("eth_getBlockReceipts", eip1898).await, expected);
    let eip1898 = json!([{ "blockNumber": "0x1" }]);
    assert_eq!(net.call("eth_getBlockReceipts", eip1898).await, expected);

    // Block 2 holds the second transfer and the failure, in some order.
    let latest = net.call("eth_getBlockReceipts", json!(["latest"])).await;
    let latest = latest.as_array().expect("receipts");
    let hashes: Vec<B256> =
        latest.iter().map(|r| from_json(r["transactionHash"].clone())).collect();
    assert_eq!(hashes, tipset(net, 2).eth_hashes);
    let gas: Vec<u64> =
        latest.iter().map(|r| from_json::<U256>(r["gasUsed"].clone()).to()).collect();
    assert_eq!(latest[1]["cumulativeGasUsed"], qty(gas[0] + gas[1]));
    for receipt in latest {
        let hash = receipt["transactionHash"].clone();
        assert_eq!(receipt, &net.call("eth_getTransactionReceipt", json!([hash])).await);
    }

    assert_eq!(net.call("eth_getBlockReceipts", json!(["earliest"])).await, json!([]));
    assert_eq!(net.call("eth_getBlockReceipts", json!(["0x99"])).await, Value::Null);
    let unknown = B256::repeat_byte(3);
    assert_eq!(net.call("eth_getBlockReceipts", json!([unknown])).await, Value::Null);
}
