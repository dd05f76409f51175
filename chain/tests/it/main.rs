//! The `chain` crate's integration tests, one test binary (one link) for all of them:
//!
//! * [`eth_tx`]: Ethereum transaction ⇄ Filecoin message conversion, against transactions signed
//!   by alloy and published vectors;
//! * [`message`]: signed Filecoin messages (Lotus's CBOR, CIDs, native signatures);
//! * [`node`]: the devnet node end to end through its `FullNode` and `DevApi` interfaces.

mod eth_tx;
mod message;
mod node;
