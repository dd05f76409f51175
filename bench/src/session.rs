//! A node with the client that drives it, and the chain operations the workloads share:
//! fees, nonces, gas estimates, sending and waiting for receipts.

use std::time::Duration;

use alloy_primitives::{Address, B256};
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::node::{Binaries, Kind, Node, Options};
use crate::rpc::{Client, has_error, quantity, result_of};
use crate::txs::{Fees, SignedTx};

/// A started node and one keep-alive client on it.
#[derive(Debug)]
pub(crate) struct Session {
    /// The node.
    pub(crate) node: Node,
    /// The setup and sequential client.
    pub(crate) client: Client,
    /// `--no-mining`: waiting for a receipt means asking for a block first.
    pub(crate) manual_mining: bool,
}

impl Session {
    /// Starts a node and connects to it.
    pub(crate) async fn start(bins: &Binaries, kind: Kind, options: Options) -> Result<Self> {
        let node = Node::start(bins, kind, options).await?;
        let client = Client::connect(node.addr).await?;
        Ok(Self { node, client, manual_mining: options.manual_mining })
    }

    /// Which node.
    pub(crate) fn kind(&self) -> Kind {
        self.node.kind
    }

    /// Stops the node; returns its peak RSS in KiB.
    pub(crate) async fn stop(self) -> Result<u64> {
        let Self { node, client, .. } = self;
        drop(client);
        node.stop().await
    }

    /// Fee fields from the latest block's base fee and the node's suggested tip.
    pub(crate) async fn fees(&mut self) -> Result<Fees> {
        let block = self.client.call("eth_getBlockByNumber", json!(["latest", false])).await?;
        let base_fee = quantity(&block["baseFeePerGas"]).context("latest block's baseFeePerGas")?;
        let priority = quantity(&self.client.call("eth_maxPriorityFeePerGas", json!([])).await?)?;
        Ok(Fees::from_node(base_fee, priority))
    }

    /// The head's height.
    pub(crate) async fn block_number(&mut self) -> Result<u64> {
        Ok(u64::try_from(quantity(&self.client.call("eth_blockNumber", json!([])).await?)?)?)
    }

    /// The next nonce of `address`, counting pending transactions.
    pub(crate) async fn nonce(&mut self, address: Address, tag: &str) -> Result<u64> {
        let n = self.client.call("eth_getTransactionCount", json!([address, tag])).await?;
        Ok(u64::try_from(quantity(&n)?)?)
    }

    /// The node's gas estimate with 10 % on top (what a wallet adds), so that every
    /// transfer in a workload fits whatever recipient it has.
    pub(crate) async fn estimate(
        &mut self,
        from: Address,
        to: Option<Address>,
        data: &[u8],
    ) -> Result<u64> {
        let mut call =
            json!({"from": from, "data": format!("0x{}", alloy_primitives::hex::encode(data))});
        if let Some(to) = to {
            call["to"] = json!(to);
        }
        let gas = quantity(&self.client.call("eth_estimateGas", json!([call])).await?)?;
        Ok(u64::try_from(gas * 11 / 10)?)
    }

    /// Submits one transaction and returns its receipt once it is in a block.
    pub(crate) async fn send_and_wait(&mut self, tx: &SignedTx) -> Result<Value> {
        self.send(tx).await?;
        self.wait_receipts(std::slice::from_ref(tx)).await?;
        let receipt = result_of(&self.client.post(&tx.receipt_body).await?)?;
        Ok(receipt)
    }

    /// `eth_sendRawTransaction`; a refusal is an error that quotes the node.
    pub(crate) async fn send(&mut self, tx: &SignedTx) -> Result<()> {
        let body = self.client.post(&tx.send_body).await?;
        if has_error(&body) {
            bail!("{} refused {}: {}", self.kind().name(), tx.hash, String::from_utf8_lossy(&body));
        }
        Ok(())
    }

    /// Mines a block on request (manual mining only).
    pub(crate) async fn mine(&mut self) -> Result<()> {
        self.client.call("evm_mine", json!([])).await.map(drop)
    }

    /// Polls until every transaction has a receipt, each with status 1: sweeps over those
    /// still missing, with a 1 ms pause between sweeps so the poller does not starve the node
    /// of the CPU it shares. With manual mining, a block is asked for before each sweep.
    pub(crate) async fn wait_receipts(&mut self, txs: &[SignedTx]) -> Result<()> {
        let mut missing: Vec<&SignedTx> = txs.iter().collect();
        for _ in 0..30_000 {
            if self.manual_mining {
                self.mine().await?;
            }
            let mut still = Vec::with_capacity(missing.len());
            for tx in missing {
                let receipt = result_of(&self.client.post(&tx.receipt_body).await?)?;
                if receipt.is_null() {
                    still.push(tx);
                } else {
                    check_status(&receipt, tx.hash, self.kind())?;
                }
            }
            if still.is_empty() {
                return Ok(());
            }
            missing = still;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        bail!(
            "{}: {} receipts still missing after 30,000 sweeps",
            self.kind().name(),
            missing.len()
        )
    }

    /// A JSON-RPC batch, answered entry by entry; the first error entry is an error.
    pub(crate) async fn batch(&mut self, body: &Bytes) -> Result<()> {
        let response = self.client.post(body).await?;
        let entries: Vec<Value> = serde_json::from_slice(&response).context("batch response")?;
        if let Some(bad) = entries.iter().find(|e| e.get("error").is_some()) {
            bail!("{} refused a batch entry: {bad}", self.kind().name());
        }
        Ok(())
    }
}

/// A receipt with status 1, else an error naming the transaction.
pub(crate) fn check_status(receipt: &Value, hash: B256, kind: Kind) -> Result<()> {
    if receipt["status"] != "0x1" {
        bail!("{}: transaction {hash} failed: {receipt}", kind.name());
    }
    Ok(())
}
