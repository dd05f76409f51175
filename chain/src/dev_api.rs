//! [`DevApi`] for the embedded devnet: mining on request, the clock, the dev accounts.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::anyhow;

use crate::api::DevApi;
use crate::clock::Clock;
use crate::config::MiningMode;
use crate::error::{NodeError, NodeResult};
use crate::genesis::DevAccount;
use crate::node::DevNode;
use crate::tipset::Tipset;

impl DevApi for DevNode {
    fn dev_accounts(&self) -> &[DevAccount] {
        &self.inner.dev_accounts
    }

    fn mine(&self, count: u64) -> NodeResult<Vec<Arc<Tipset>>> {
        (0..count)
            .map(|_| {
                if self.inner.stop.load(Ordering::SeqCst) {
                    return Err(NodeError::Unavailable);
                }
                self.inner
                    .mine_once(false)?
                    .ok_or_else(|| anyhow!("mining produced no tipset").into())
            })
            .collect()
    }

    fn automines(&self) -> bool {
        self.inner.config.mining == MiningMode::Instant
    }

    fn clock(&self) -> &Clock {
        &self.inner.clock
    }
}
