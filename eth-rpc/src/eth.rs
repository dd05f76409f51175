//! The `eth_` namespace, served from a [`FullNode`](chain::FullNode).
//!
//! [`resolve`] turns block tags into tipsets; [`convert`] builds the Ethereum wire types
//! (`alloy-rpc-types-eth`) from tipsets, messages, receipts and logs; [`overrides`] reads Geth's
//! state and block overrides. The method files, one per area, register their handlers in
//! [`register`]: blocks and transactions, state, calls and estimates, sends and dev-account
//! signing, fees, network identity, filters and subscriptions.

pub mod convert;
pub mod resolve;

mod blocks;
mod call;
mod fees;
pub mod filters;
mod network;
mod overrides;
mod send;
mod state;
mod subscriptions;

use jsonrpsee::core::RegisterMethodError;

pub(crate) use crate::context::{Module, RpcContext};

/// Registers every `eth_` method into `module`.
pub(crate) fn register(module: &mut Module) -> Result<(), RegisterMethodError> {
    blocks::register(module)?;
    state::register(module)?;
    call::register(module)?;
    send::register(module)?;
    fees::register(module)?;
    network::register(module)?;
    filters::register(module)?;
    subscriptions::register(module)?;
    Ok(())
}
