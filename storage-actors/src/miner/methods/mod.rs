//! The miner actor's methods, dispatched by number. Each file holds one family:
//! [`control`] (constructor, owner, worker, beneficiary, peer info), [`funds`] (withdrawals,
//! debt, rewards, balance getters), [`precommit`], [`prove_commit`], [`post`] (Window PoSt),
//! [`faults`], [`terminate`], [`cron`] (the deadline callback) and [`queries`] (sector
//! getters); [`common`] holds what they share.

pub mod beneficiary;
pub mod common;
pub mod compact;
pub mod control;
pub mod cron;
pub mod dispute;
pub mod extend;
pub mod faults;
pub mod funds;
pub mod ni_porep;
pub mod post;
pub mod precommit;
pub mod prove_commit;
pub mod queries;
pub mod replica_update;
pub mod terminate;

use filecoin_vm::{Actor, ActorError, ActorResult, Runtime};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::MethodNum;

use crate::miner::types::*;
use crate::plumbing::{no_params, params, restrict_internal_api};

/// The storage miner actor.
#[derive(Clone, Copy, Debug, Default)]
pub struct MinerActor;

impl Actor for MinerActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        block: Option<IpldBlock>,
    ) -> ActorResult {
        restrict_internal_api(rt, method)?;
        match method {
            CONSTRUCTOR_METHOD => control::constructor(rt, params(block)?),
            CONTROL_ADDRESSES_METHOD => {
                no_params(&block).and_then(|()| control::control_addresses(rt))
            }
            CHANGE_WORKER_ADDRESS_METHOD | CHANGE_WORKER_ADDRESS_EXPORTED => {
                control::change_worker_address(rt, params(block)?)
            }
            CONFIRM_CHANGE_WORKER_ADDRESS_METHOD | CONFIRM_CHANGE_WORKER_ADDRESS_EXPORTED => {
                no_params(&block).and_then(|()| control::confirm_change_worker_address(rt))
            }
            CHANGE_OWNER_ADDRESS_METHOD | CHANGE_OWNER_ADDRESS_EXPORTED => {
                control::change_owner_address(rt, params(block)?)
            }
            CHANGE_BENEFICIARY_METHOD | CHANGE_BENEFICIARY_EXPORTED => {
                control::change_beneficiary(rt, params(block)?)
            }
            GET_BENEFICIARY_METHOD | GET_BENEFICIARY_EXPORTED => {
                no_params(&block).and_then(|()| control::get_beneficiary(rt))
            }
            CHANGE_PEER_ID_METHOD | CHANGE_PEER_ID_EXPORTED => {
                control::change_peer_id(rt, params(block)?)
            }
            CHANGE_MULTIADDRS_METHOD | CHANGE_MULTIADDRS_EXPORTED => {
                control::change_multiaddrs(rt, params(block)?)
            }
            GET_OWNER_EXPORTED => no_params(&block).and_then(|()| control::get_owner(rt)),
            IS_CONTROLLING_ADDRESS_EXPORTED => control::is_controlling_address(rt, params(block)?),
            GET_SECTOR_SIZE_EXPORTED => {
                no_params(&block).and_then(|()| control::get_sector_size(rt))
            }
            GET_PEER_ID_EXPORTED => no_params(&block).and_then(|()| control::get_peer_id(rt)),
            GET_MULTIADDRS_EXPORTED => no_params(&block).and_then(|()| control::get_multiaddrs(rt)),

            WITHDRAW_BALANCE_METHOD | WITHDRAW_BALANCE_EXPORTED => {
                funds::withdraw_balance(rt, params(block)?)
            }
            REPAY_DEBT_METHOD | REPAY_DEBT_EXPORTED => {
                no_params(&block).and_then(|()| funds::repay_debt(rt))
            }
            APPLY_REWARDS_METHOD => funds::apply_rewards(rt, params(block)?),
            GET_AVAILABLE_BALANCE_EXPORTED => {
                no_params(&block).and_then(|()| funds::get_available_balance(rt))
            }
            GET_VESTING_FUNDS_EXPORTED => {
                no_params(&block).and_then(|()| funds::get_vesting_funds(rt))
            }
            INITIAL_PLEDGE_EXPORTED => no_params(&block).and_then(|()| funds::initial_pledge(rt)),
            MAX_TERMINATION_FEE_EXPORTED => funds::max_termination_fee(rt, params(block)?),

            PRE_COMMIT_SECTOR_BATCH2_METHOD => {
                precommit::pre_commit_sector_batch2(rt, params(block)?)
            }
            PROVE_COMMIT_SECTORS3_METHOD => prove_commit::prove_commit_sectors3(rt, params(block)?),
            INTERNAL_SECTOR_SETUP_FOR_PRESEAL_METHOD => {
                prove_commit::internal_sector_setup_preseal(rt, params(block)?)
            }
            SUBMIT_WINDOWED_POST_METHOD => post::submit_windowed_post(rt, params(block)?),
            DECLARE_FAULTS_METHOD => faults::declare_faults(rt, params(block)?),
            DECLARE_FAULTS_RECOVERED_METHOD => faults::declare_faults_recovered(rt, params(block)?),
            TERMINATE_SECTORS_METHOD => terminate::terminate_sectors(rt, params(block)?),
            ON_DEFERRED_CRON_EVENT_METHOD => cron::on_deferred_cron_event(rt, params(block)?),

            CHECK_SECTOR_PROVEN_METHOD => queries::check_sector_proven(rt, params(block)?),
            GENERATE_SECTOR_LOCATION_EXPORTED => {
                queries::generate_sector_location(rt, params(block)?)
            }
            VALIDATE_SECTOR_STATUS_EXPORTED => queries::validate_sector_status(rt, params(block)?),
            GET_NOMINAL_SECTOR_EXPIRATION_EXPORTED => {
                queries::get_nominal_sector_expiration(rt, params(block)?)
            }
            REPORT_CONSENSUS_FAULT_METHOD => queries::report_consensus_fault(rt, params(block)?),
            EXTEND_SECTOR_EXPIRATION2_METHOD => {
                extend::extend_sector_expiration2(rt, params(block)?)
            }
            COMPACT_PARTITIONS_METHOD => compact::compact_partitions(rt, params(block)?),
            COMPACT_SECTOR_NUMBERS_METHOD => compact::compact_sector_numbers(rt, params(block)?),
            DISPUTE_WINDOWED_POST_METHOD => dispute::dispute_windowed_post(rt, params(block)?),
            PROVE_REPLICA_UPDATES3_METHOD => {
                replica_update::prove_replica_updates3(rt, params(block)?)
            }
            PROVE_COMMIT_SECTORS_NI_METHOD => ni_porep::prove_commit_sectors_ni(rt, params(block)?),

            other => Err(ActorError::unhandled_method(other)),
        }
    }
}
