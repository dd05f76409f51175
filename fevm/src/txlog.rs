//! One log line per mined transaction, the way anvil prints them: hash, contract created, gas
//! used, block number and status.

use std::sync::Arc;

use chain::{FullNode, Tipset};
use evm_actor::methods::{EAM_ACTOR_ID, EAM_CREATE_EXTERNAL_METHOD, EamReturn};
use fvm_shared::address::Address;
use tokio::sync::broadcast::error::RecvError;

/// Logs every transaction of every new tipset until the node stops publishing heads.
pub(crate) async fn log_mined_transactions(node: Arc<dyn FullNode>) {
    let mut heads = node.subscribe_heads();
    loop {
        match heads.recv().await {
            Ok(tipset) => {
                let node = node.clone();
                // Reading receipts touches the store: keep it off the async workers.
                let _ = tokio::task::spawn_blocking(move || log_tipset(&*node, &tipset)).await;
            }
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(target: "fevm::tx", missed, "transaction log fell behind");
            }
            Err(RecvError::Closed) => return,
        }
    }
}

fn log_tipset(node: &dyn FullNode, tipset: &Tipset) {
    if tipset.messages.is_empty() {
        return;
    }
    let (Ok(messages), Ok(receipts)) =
        (node.chain_get_messages(tipset), node.chain_get_receipts(tipset))
    else {
        return;
    };
    for ((msg, receipt), hash) in messages.iter().zip(&receipts).zip(&tipset.eth_hashes) {
        let m = &msg.message;
        let created = (m.to == Address::new_id(EAM_ACTOR_ID)
            && m.method_num == EAM_CREATE_EXTERNAL_METHOD
            && receipt.exit_code.is_success())
        .then(|| fvm_ipld_encoding::from_slice::<EamReturn>(receipt.return_data.bytes()).ok())
        .flatten()
        .map(|r| alloy_primitives::Address::from(r.eth_address));
        let status = if receipt.exit_code.is_success() {
            "ok".to_string()
        } else {
            format!("failed (exit code {})", receipt.exit_code.value())
        };
        match created {
            Some(contract) => tracing::info!(
                target: "fevm::tx",
                "Transaction: {hash}\n    Contract created: {contract}\n    Gas used: {}\n    Block Number: {}\n    Status: {status}",
                receipt.gas_used,
                tipset.height()
            ),
            None => tracing::info!(
                target: "fevm::tx",
                "Transaction: {hash}\n    Gas used: {}\n    Block Number: {}\n    Status: {status}",
                receipt.gas_used,
                tipset.height()
            ),
        }
    }
}
