//! JSON-RPC method modules, one file per namespace or area.
//!
//! Each module exposes `fn module(..) -> Result<RpcModule<Ctx>, RegisterMethodError>`; the node
//! merges them into one [`jsonrpsee::Methods`] and hands that to [`crate::server::start`].
//! Handlers return [`crate::RpcResult`] so that error codes are chosen only in [`crate::error`].

pub mod web3;
