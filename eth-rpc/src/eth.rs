//! The `eth_` namespace (and the `Filecoin.` helpers), served from a [`FullNode`].
//!
//! [`EthContext`] is what every handler sees; [`resolve`] turns block tags into tipsets;
//! [`convert`] builds the Ethereum wire types (`alloy-rpc-types-eth`) from tipsets, messages,
//! receipts and logs. The method files register their handlers in [`module`].

pub mod context;
pub mod convert;
pub mod resolve;

mod call_methods;
mod chain_methods;
mod fee_methods;
mod filecoin_methods;
pub mod filters;
mod overrides;
mod send_methods;
mod state_methods;
mod subscriptions;

use std::sync::Arc;

pub use context::EthContext;
use jsonrpsee::RpcModule;
use jsonrpsee::core::RegisterMethodError;

/// Every `eth_`/`net_`/`Filecoin.` method, over `ctx`.
pub fn module(ctx: Arc<EthContext>) -> Result<RpcModule<Arc<EthContext>>, RegisterMethodError> {
    let mut module = RpcModule::new(ctx);
    chain_methods::register(&mut module)?;
    state_methods::register(&mut module)?;
    call_methods::register(&mut module)?;
    send_methods::register(&mut module)?;
    fee_methods::register(&mut module)?;
    filecoin_methods::register(&mut module)?;
    filters::register(&mut module)?;
    subscriptions::register(&mut module)?;
    Ok(module)
}

/// The module type every method file registers into.
pub(crate) type EthModule = RpcModule<Arc<EthContext>>;
