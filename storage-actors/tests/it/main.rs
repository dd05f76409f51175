//! Storage actors through the real VM: messages from real f1/f3 keys, applied by the executor.

mod account_init;
mod cron;
mod datacap;
mod harness;
mod market;
mod miner;
mod multisig;
mod paych;
mod power;
mod reward;
mod verifreg;
