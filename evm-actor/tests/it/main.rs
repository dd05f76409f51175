//! The EVM actor and the EAM through the real Filecoin VM.

mod deploy;
mod harness;
mod lifecycle;
mod manifest;
mod precompiles;
mod raw;
mod semantics;
mod token;
