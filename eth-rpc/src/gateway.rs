//! The gateway assembled: every namespace over one node, served by [`crate::server`].
//!
//! A node comes with its dev powers or without them ([`chain::DevApi`]): with them, the dev
//! namespace is served and `eth_accounts` lists the node's keys; without them (a remote Lotus,
//! a fork), dev methods are unknown (−32601) and the node holds no accounts.

use std::sync::Arc;

use chain::{DevApi, FullNode};
use jsonrpsee::RpcModule;

use crate::context::{Module, RpcContext};
use crate::server::{self, RunningServer, ServerConfig};
use crate::{dev, eth, filecoin, web3};

/// What the gateway serves: a node, and its dev powers if it has them.
#[derive(Clone)]
pub struct Backend {
    /// The node.
    pub node: Arc<dyn FullNode>,
    /// Its dev powers.
    pub dev: Option<Arc<dyn DevApi>>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend").field("dev", &self.dev.is_some()).finish_non_exhaustive()
    }
}

impl Backend {
    /// A local devnet: a node that is its own dev API.
    pub fn devnet<N: FullNode + DevApi>(node: Arc<N>) -> Self {
        Self { node: node.clone(), dev: Some(node) }
    }
}

/// Every method the gateway serves for `backend`.
pub fn rpc_module(backend: Backend) -> anyhow::Result<RpcModule<()>> {
    let Backend { node, dev } = backend;
    let mut rpc = RpcModule::new(());
    rpc.merge(web3::module(node.chain_id())?)?;
    let mut node_methods = Module::new(Arc::new(RpcContext::new(node, dev.clone())));
    eth::register(&mut node_methods)?;
    filecoin::register(&mut node_methods)?;
    rpc.merge(node_methods)?;
    if let Some(dev) = dev {
        rpc.merge(dev::module(dev)?)?;
    }
    Ok(rpc)
}

/// Serves the gateway for `backend` until the returned server is stopped.
pub async fn serve(backend: Backend, config: ServerConfig) -> anyhow::Result<RunningServer> {
    server::start(config, rpc_module(backend)?).await
}
