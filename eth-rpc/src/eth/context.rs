//! What every `eth_` handler sees.

use std::collections::HashMap;
use std::sync::Arc;

use alloy_primitives::Address;
use alloy_signer_local::PrivateKeySigner;
use chain::FullNode;

use super::filters::FilterStore;

/// Shared state of the `eth_` handlers.
pub struct EthContext {
    /// The node behind the gateway.
    pub node: Arc<dyn FullNode>,
    /// Keys of the dev accounts, for `eth_sendTransaction` and the signing methods.
    pub signers: HashMap<Address, PrivateKeySigner>,
    /// Dev account addresses in their genesis order (what `eth_accounts` lists).
    pub accounts: Vec<Address>,
    /// Installed filters (`eth_newFilter` & co.).
    pub filters: FilterStore,
}

impl std::fmt::Debug for EthContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EthContext").field("accounts", &self.accounts).finish_non_exhaustive()
    }
}

impl EthContext {
    /// A context over `node`, holding the keys of its dev accounts.
    pub fn new(node: Arc<dyn FullNode>) -> Self {
        let accounts: Vec<Address> = node.dev_accounts().iter().map(|a| a.address).collect();
        let signers = node.dev_accounts().iter().map(|a| (a.address, a.signer.clone())).collect();
        Self { node, signers, accounts, filters: FilterStore::default() }
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.node.chain_id()
    }
}
