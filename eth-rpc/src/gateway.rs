//! The gateway assembled: every method module over one node, served by [`crate::server`].

use std::sync::Arc;

use chain::FullNode;
use jsonrpsee::RpcModule;

use crate::eth::{self, EthContext};
use crate::methods;
use crate::server::{self, RunningServer, ServerConfig};

/// Every method the gateway serves, over `node`.
pub fn rpc_module(node: Arc<dyn FullNode>) -> anyhow::Result<RpcModule<()>> {
    let mut rpc = RpcModule::new(());
    rpc.merge(methods::web3::module()?)?;
    rpc.merge(eth::module(Arc::new(EthContext::new(node)))?)?;
    Ok(rpc)
}

/// Serves the gateway for `node` until the returned server is stopped.
pub async fn serve(node: Arc<dyn FullNode>, config: ServerConfig) -> anyhow::Result<RunningServer> {
    server::start(config, rpc_module(node)?).await
}
