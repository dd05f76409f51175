//! What every handler sees: the node, its dev powers if it has them, the keys of its dev
//! accounts, and the gateway's own state (installed filters).

use std::collections::HashMap;
use std::sync::Arc;

use alloy_primitives::Address;
use alloy_signer_local::PrivateKeySigner;
use chain::{DevApi, FullNode};
use jsonrpsee::RpcModule;

use crate::eth::filters::FilterStore;

/// Shared state of the method handlers of every namespace.
pub struct RpcContext {
    /// The node behind the gateway.
    pub node: Arc<dyn FullNode>,
    /// The node's dev powers (mining on request, the clock, dev keys); `None` for a node that
    /// has none, which then serves no dev methods and holds no accounts.
    pub dev: Option<Arc<dyn DevApi>>,
    /// Keys of the dev accounts, for `eth_sendTransaction` and the signing methods.
    pub signers: HashMap<Address, PrivateKeySigner>,
    /// Dev account addresses in their genesis order (what `eth_accounts` lists).
    pub accounts: Vec<Address>,
    /// Installed filters (`eth_newFilter` & co.).
    pub filters: FilterStore,
}

/// The module type every namespace registers its methods into.
pub(crate) type Module = RpcModule<Arc<RpcContext>>;

impl std::fmt::Debug for RpcContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcContext")
            .field("accounts", &self.accounts)
            .field("dev", &self.dev.is_some())
            .finish_non_exhaustive()
    }
}

impl RpcContext {
    /// A context over `node`, with its dev powers and the keys of its dev accounts when `dev`
    /// is given.
    pub fn new(node: Arc<dyn FullNode>, dev: Option<Arc<dyn DevApi>>) -> Self {
        let dev_accounts = dev.as_deref().map(DevApi::dev_accounts).unwrap_or_default();
        let accounts = dev_accounts.iter().map(|a| a.address).collect();
        let signers = dev_accounts.iter().map(|a| (a.address, a.signer.clone())).collect();
        Self { node, dev, signers, accounts, filters: FilterStore::default() }
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.node.chain_id()
    }

    /// Whether the node mines every message as soon as it arrives (a node without dev powers
    /// does not say, and is treated as not).
    pub fn automines(&self) -> bool {
        self.dev.as_ref().is_some_and(|dev| dev.automines())
    }
}
