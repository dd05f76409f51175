//! The storage miner actor: one per storage provider, holding its sectors, its proving
//! schedule (48 deadlines a day, each with partitions of sectors), its pledge, vesting rewards
//! and fee debt. Its methods take sectors from pre-commit to proof, prove them every day
//! (Window PoSt), record faults and recoveries, terminate and extend them, and move funds.
//!
//! Layout and reading order:
//! - [`policy`], [`quantize`], [`records`]: the devnet's constants, epoch buckets, and the
//!   records the state holds (the network's encodings).
//! - [`monies`], [`vesting`]: pledge, deposits, penalties and fees; the vesting table.
//! - [`deadline_info`], [`bitfield_queue`], [`expiration_queue`], [`partition`], [`deadline`],
//!   [`deadlines`], [`sectors`], [`sector_map`], [`termination`]: the proving schedule's
//!   bookkeeping, the heart of the miner's state.
//! - [`types`], [`ext`], [`emit`], [`notifications`]: method numbers and parameters, calls to
//!   other actors, FIP-0083 events, `SectorContentChanged` notifications.

pub mod bitfield_queue;
pub mod deadline;
pub mod deadline_info;
pub mod deadlines;
pub mod emit;
pub mod expiration_queue;
pub mod ext;
pub mod methods;
pub mod monies;
pub mod notifications;
pub mod partition;
pub mod policy;
pub mod proofs;
pub mod quantize;
pub mod records;
pub mod sector_map;
pub mod sectors;
pub mod state;
pub mod termination;
pub mod types;
pub mod vesting;
