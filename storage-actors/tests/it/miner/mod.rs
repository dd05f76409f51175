//! The storage miner through the VM: created through power, sectors pre-committed and proven
//! by a BLS worker, proven daily with devnet Window PoSts, faults and terminations, with the
//! cron callbacks power drives.

mod beneficiary;
mod compact;
mod control;
mod deals;
mod dispute;
mod extend;
mod funds;
mod lifecycle;
mod ni_porep;
mod replica_update;
mod setup;
