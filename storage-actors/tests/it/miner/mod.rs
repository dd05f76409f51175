//! The storage miner through the VM: created through power, sectors pre-committed and proven
//! by a BLS worker, proven daily with devnet Window PoSts, faults and terminations, with the
//! cron callbacks power drives.

mod beneficiary;
mod control;
mod deals;
mod funds;
mod lifecycle;
mod setup;
