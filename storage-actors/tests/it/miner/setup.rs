//! Helpers: a net with the real miner, a miner, sectors, and the deadline clock.

use cid::Cid;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::{BytesDe, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::randomness::Randomness;
use fvm_shared::sector::{
    PoStProof, RegisteredPoStProof, RegisteredSealProof, SectorInfo, SectorNumber,
};
use storage_actors::miner::deadline_info::{DeadlineInfo, new_deadline_info_from_offset_and_epoch};
use storage_actors::miner::proofs::expected_window_post_proof;
use storage_actors::miner::records::{SectorOnChainInfo, SectorPreCommitInfo};
use storage_actors::miner::state::MinerState;
use storage_actors::miner::types::*;
use storage_actors::plumbing::{DomainSeparationTag, draw_randomness};
use storage_actors::power::{CREATE_MINER_METHOD, CreateMinerParams, CreateMinerReturn};
use storage_actors::{POWER_ACTOR_ID, genesis};

use crate::harness::{FIL, Net, assert_exit, beacon_digest, chain_digest, decode};

pub(super) const SEAL_2K: RegisteredSealProof = RegisteredSealProof::StackedDRG2KiBV1P1;
pub(super) const POST_2K: RegisteredPoStProof = RegisteredPoStProof::StackedDRGWindow2KiBV1P1;
pub(super) const DAY: i64 = 2880;

pub(super) fn net() -> Net {
    Net::with_real_miners(|tree| genesis::install(tree).unwrap())
}

pub(super) fn power() -> Address {
    Address::new_id(POWER_ACTOR_ID)
}

/// Creates a miner owned by alice (f1) with carol (f3, BLS) as worker; returns its address.
pub(super) fn create_miner(net: &mut Net, deposit: TokenAmount) -> Address {
    let ret = try_create_miner(net, net.carol.address(), deposit);
    let created: CreateMinerReturn = decode(&ret);
    created.id_address
}

pub(super) fn try_create_miner(
    net: &mut Net,
    worker: Address,
    deposit: TokenAmount,
) -> filecoin_vm::ApplyRet {
    let alice = net.alice.address();
    let params = CreateMinerParams {
        owner: alice,
        worker,
        window_post_proof_type: POST_2K,
        peer: b"peer-id".to_vec(),
        multiaddrs: vec![BytesDe(b"/ip4/127.0.0.1/tcp/1".to_vec())],
    };
    net.send(&alice, &power(), CREATE_MINER_METHOD, Some(&params), deposit)
}

/// A CommR-shaped CID.
pub(super) fn comm_r(n: u8) -> Cid {
    Cid::new_v1(0xf102, cid::multihash::Multihash::wrap(0xb401, &[n; 32]).unwrap())
}

pub(super) fn miner_state(net: &mut Net, miner: &Address) -> MinerState {
    net.state(miner)
}

/// A CC pre-commit of sector `number`, expiring `lifetime` epochs from now.
pub(super) fn cc_precommit(net: &Net, number: SectorNumber, lifetime: i64) -> SectorPreCommitInfo {
    SectorPreCommitInfo {
        seal_proof: SEAL_2K,
        sector_number: number,
        sealed_cid: comm_r(number as u8),
        seal_rand_epoch: net.epoch - 1,
        deal_ids: vec![],
        expiration: net.epoch + lifetime,
        unsealed_cid: None,
    }
}

/// Sends from the worker (carol).
pub(super) fn from_worker<P: serde::Serialize>(
    net: &mut Net,
    miner: &Address,
    method: u64,
    params: &P,
) -> filecoin_vm::ApplyRet {
    let carol = net.carol.address();
    net.send(&carol, miner, method, Some(params), TokenAmount::default())
}

/// Pre-commits CC sectors and proves them after the challenge delay.
pub(super) fn onboard_cc(net: &mut Net, miner: &Address, numbers: &[SectorNumber]) {
    let sectors = numbers.iter().map(|&n| cc_precommit(net, n, 220 * DAY)).collect();
    let ret = from_worker(
        net,
        miner,
        PRE_COMMIT_SECTOR_BATCH2_METHOD,
        &PreCommitSectorBatch2Params { sectors },
    );
    assert_exit(&ret, fvm_shared::error::ExitCode::OK);
    net.advance(11);
    let params = prove_params(numbers);
    let ret = from_worker(net, miner, PROVE_COMMIT_SECTORS3_METHOD, &params);
    assert_exit(&ret, fvm_shared::error::ExitCode::OK);
}

pub(super) fn prove_params(numbers: &[SectorNumber]) -> ProveCommitSectors3Params {
    ProveCommitSectors3Params {
        sector_activations: numbers
            .iter()
            .map(|&sector_number| SectorActivationManifest { sector_number, pieces: vec![] })
            .collect(),
        sector_proofs: numbers.iter().map(|_| RawBytes::new(vec![7; 192])).collect(),
        aggregate_proof: RawBytes::default(),
        aggregate_proof_type: None,
        require_activation_success: true,
        require_notification_success: true,
    }
}

/// The deadline `net.epoch` falls in for `miner`.
pub(super) fn deadline_now(net: &mut Net, miner: &Address) -> DeadlineInfo {
    let st = miner_state(net, miner);
    new_deadline_info_from_offset_and_epoch(st.proving_period_start, net.epoch)
}

/// Runs the chain to `epoch`, ticking cron at the end of each of `miner`'s deadlines on the
/// way (where its callbacks are enrolled), and at `epoch` itself if `tick_last`.
pub(super) fn run_to(net: &mut Net, miner: &Address, epoch: i64) {
    loop {
        let last = deadline_now(net, miner).last();
        if last > epoch {
            break;
        }
        net.advance(last - net.epoch);
        net.cron_tick();
        if net.epoch == epoch {
            return;
        }
        net.advance(1);
    }
    if epoch > net.epoch {
        net.advance(epoch - net.epoch);
    }
}

/// The (deadline, partition) of a sector.
pub(super) fn locate(net: &mut Net, miner: &Address, sector: SectorNumber) -> (u64, u64) {
    let st = miner_state(net, miner);
    st.find_sector(net.exec.store(), sector).unwrap()
}

/// A devnet Window PoSt for `sectors` at the open deadline `dl`, as a dev provider makes it.
pub(super) fn window_post(
    net: &mut Net,
    miner: &Address,
    dl: &DeadlineInfo,
    partitions: &[u64],
    sectors: &[SectorOnChainInfo],
) -> SubmitWindowedPoStParams {
    let entropy = fvm_ipld_encoding::to_vec(miner).unwrap();
    let challenge = draw_randomness(
        &beacon_digest(dl.challenge),
        DomainSeparationTag::WindowedPoStChallengeSeed,
        dl.challenge,
        &entropy,
    );
    let infos: Vec<SectorInfo> = sectors
        .iter()
        .map(|s| SectorInfo {
            proof: s.seal_proof,
            sector_number: s.sector_number,
            sealed_cid: s.sealed_cid,
        })
        .collect();
    let proof = expected_window_post_proof(&challenge, &infos).unwrap();
    let commit_epoch = net.epoch - 1;
    let commit_rand = draw_randomness(
        &chain_digest(commit_epoch),
        DomainSeparationTag::PoStChainCommit,
        commit_epoch,
        &[],
    );
    SubmitWindowedPoStParams {
        deadline: dl.index,
        partitions: partitions
            .iter()
            .map(|&index| PoStPartition { index, skipped: BitField::new() })
            .collect(),
        proofs: vec![PoStProof { post_proof: POST_2K, proof_bytes: proof }],
        chain_commit_epoch: commit_epoch,
        chain_commit_rand: Randomness(commit_rand.to_vec()),
    }
}

pub(super) const ENOUGH: u128 = 100 * FIL;

/// Sends `method` from `from` to `to` with no value.
pub(super) fn call<P: serde::Serialize>(
    net: &mut Net,
    from: &Address,
    to: &Address,
    method: u64,
    params: Option<&P>,
) -> filecoin_vm::ApplyRet {
    net.send(from, to, method, params, TokenAmount::default())
}
