//! The miner's policy on this devnet: the builtin-actors "devnet" bundle (features `sector-2k`,
//! `sector-8m`, `small-deals`, `short-precommit`, `min-power-2k`), which Lotus's `make 2k`
//! devnets run. Every value not named by those features is mainnet's (builtin-actors
//! `runtime/src/runtime/policy.rs`, `builtin/network.rs`, `actors/miner/src/policy.rs`).

use cid::Cid;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::sector::{RegisteredPoStProof, RegisteredSealProof, SectorSize};

/// Seconds per epoch.
pub const EPOCH_DURATION_SECONDS: i64 = 30;
/// Epochs in an hour.
pub const EPOCHS_IN_HOUR: ChainEpoch = 3600 / EPOCH_DURATION_SECONDS;
/// Epochs in a day.
pub const EPOCHS_IN_DAY: ChainEpoch = 86_400 / EPOCH_DURATION_SECONDS;
/// Epochs in a (365.24-day) year, as the network counts them.
pub const EPOCHS_IN_YEAR: ChainEpoch = 31_556_925 / EPOCH_DURATION_SECONDS;

/// Epochs after which a tipset is final.
pub const CHAIN_FINALITY: ChainEpoch = 900;

/// Length of a Window PoSt proving period.
pub const WPOST_PROVING_PERIOD: ChainEpoch = EPOCHS_IN_DAY;
/// Length of one deadline's challenge window.
pub const WPOST_CHALLENGE_WINDOW: ChainEpoch = 30 * 60 / EPOCH_DURATION_SECONDS;
/// Deadlines per proving period.
pub const WPOST_PERIOD_DEADLINES: u64 = 48;
/// How far before a deadline opens its challenge is drawn.
pub const WPOST_CHALLENGE_LOOKBACK: ChainEpoch = 20;
/// Faults (and recoveries) for a deadline must be declared this long before it opens.
pub const FAULT_DECLARATION_CUTOFF: ChainEpoch = WPOST_CHALLENGE_LOOKBACK + 50;

/// How close to its expiration a sector must be before it may drop verified claims (the
/// network policy's `end_of_life_claim_drop_period`): dropping earlier would let a provider
/// shed data it was paid to keep while still extending the sector.
pub const END_OF_LIFE_CLAIM_DROP_PERIOD: ChainEpoch = 30 * EPOCHS_IN_DAY;
/// Oldest chain commitment a Window PoSt may name.
pub const WPOST_MAX_CHAIN_COMMIT_AGE: ChainEpoch = WPOST_CHALLENGE_WINDOW;
/// How long an optimistically accepted Window PoSt may be disputed.
pub const WPOST_DISPUTE_WINDOW: ChainEpoch = 2 * CHAIN_FINALITY;
/// Most partitions one Window PoSt may prove.
pub const MAX_PARTITIONS_PER_DEADLINE: u64 = 3000;
/// Most partitions one message may address.
pub const ADDRESSED_PARTITIONS_MAX: u64 = MAX_PARTITIONS_PER_DEADLINE;
/// Most sectors one message may address (declarations, terminations, extensions).
pub const ADDRESSED_SECTORS_MAX: u64 = 25_000;
/// Most partitions a single Window PoSt message may post.
pub const POSTED_PARTITIONS_MAX: u64 = 3;
/// Most sectors a miner may hold in its sectors table.
pub const SECTORS_MAX: usize = 32 << 20;
/// Most sectors that may be added to a proving period's deadlines at once.
pub const NEW_SECTORS_PER_PERIOD_MAX: usize = 128 << 10;
/// A reported consensus fault bars the miner from controlling methods this long.
pub const CONSENSUS_FAULT_INELIGIBILITY_DURATION: ChainEpoch = CHAIN_FINALITY;
/// Oldest seal randomness a non-interactive proof may use.
pub const MAX_PROVE_COMMIT_NI_LOOKBACK: ChainEpoch = 180 * EPOCHS_IN_DAY;
/// Fewest sectors an NI-PoRep aggregate may hold.
pub const MIN_AGGREGATED_SECTORS_NI: u64 = 1;
/// Most sectors an NI-PoRep aggregate may hold.
pub const MAX_AGGREGATED_SECTORS_NI: u64 = 65;

/// Epochs between pre-commit and the interactive seal challenge (`short-precommit`: 10;
/// mainnet 150).
pub const PRE_COMMIT_CHALLENGE_DELAY: ChainEpoch = 10;
/// Oldest seal randomness a pre-commit may use.
pub const MAX_PRE_COMMIT_RANDOMNESS_LOOKBACK: ChainEpoch = EPOCHS_IN_DAY + CHAIN_FINALITY;
/// Longest a pre-commit may wait for its proof (30 days plus the challenge delay).
pub const MAX_PROVE_COMMIT_DURATION: ChainEpoch = 30 * EPOCHS_IN_DAY + PRE_COMMIT_CHALLENGE_DELAY;
/// Expired pre-commits are cleaned up this long after they could have been proven.
pub const EXPIRED_PRE_COMMIT_CLEAN_UP_DELAY: ChainEpoch = 8 * EPOCHS_IN_HOUR;

/// Shortest sector lifetime.
pub const MIN_SECTOR_EXPIRATION: ChainEpoch = 180 * EPOCHS_IN_DAY;
/// Furthest an expiration may be set from now.
pub const MAX_SECTOR_EXPIRATION_EXTENSION: ChainEpoch = 1278 * EPOCHS_IN_DAY;
/// A sector faulty this long is terminated.
pub const FAULT_MAX_AGE: ChainEpoch = WPOST_PROVING_PERIOD * 42;
/// Delay before a new worker key takes effect.
pub const WORKER_KEY_CHANGE_DELAY: ChainEpoch = CHAIN_FINALITY;
/// Most control addresses a miner may have.
pub const MAX_CONTROL_ADDRESSES: usize = 10;
/// Longest peer ID, in bytes.
pub const MAX_PEER_ID_LENGTH: usize = 128;
/// Longest multiaddress list, in bytes in total.
pub const MAX_MULTIADDR_DATA: usize = 1024;
/// Fewest sectors a prove-commit aggregate may hold.
pub const MIN_AGGREGATED_SECTORS: u64 = 4;
/// Most sectors a prove-commit aggregate may hold.
pub const MAX_AGGREGATED_SECTORS: u64 = 819;
/// Largest prove-commit aggregate proof, in bytes.
pub const MAX_AGGREGATED_PROOF_SIZE: usize = 81_960;
/// Largest replica-update proof, in bytes.
pub const MAX_REPLICA_UPDATE_PROOF_SIZE: usize = 4096;
/// Last sector number a miner may allocate (2^63 − 1).
pub const MAX_SECTOR_NUMBER: u64 = i64::MAX as u64;
/// Precision of sector quality (20 bits after the point).
pub const SECTOR_QUALITY_PRECISION: i64 = 20;
/// Minimum power a miner must hold for its power to count (`min-power-2k`: one 2 KiB sector).
pub const MINIMUM_CONSENSUS_POWER: i64 = 2 << 10;
/// Power whose pledge a new miner deposits (FIP-0077).
pub const CREATE_MINER_DEPOSIT_POWER: i64 = MINIMUM_CONSENSUS_POWER / 10;

/// Whether new sectors may be pre-committed with `proof` (2 KiB and 8 MiB, plain or synthetic).
pub fn can_pre_commit_seal_proof(proof: RegisteredSealProof) -> bool {
    use RegisteredSealProof::*;
    matches!(
        proof,
        StackedDRG2KiBV1P1
            | StackedDRG2KiBV1P1_Feat_SyntheticPoRep
            | StackedDRG8MiBV1P1
            | StackedDRG8MiBV1P1_Feat_SyntheticPoRep
    )
}

/// Whether sectors may be onboarded non-interactively (NI-PoRep) with `proof`.
pub fn can_prove_commit_ni_seal_proof(proof: RegisteredSealProof) -> bool {
    use RegisteredSealProof::*;
    matches!(proof, StackedDRG2KiBV1P2_Feat_NiPoRep | StackedDRG8MiBV1P2_Feat_NiPoRep)
}

/// Whether a miner may be created with this Window PoSt proof type.
pub fn is_allowed_post_proof(proof: RegisteredPoStProof) -> bool {
    matches!(
        proof,
        RegisteredPoStProof::StackedDRGWindow2KiBV1P1
            | RegisteredPoStProof::StackedDRGWindow8MiBV1P1
    )
}

/// The sector size a Window PoSt proof type proves, for the types this devnet allows.
pub fn post_sector_size(proof: RegisteredPoStProof) -> Option<SectorSize> {
    is_allowed_post_proof(proof).then(|| proof.sector_size().ok()).flatten()
}

/// Sectors per Window PoSt partition for a proof type (2 for 2 KiB, as the network has it).
pub fn post_partition_sectors(proof: RegisteredPoStProof) -> Option<u64> {
    is_allowed_post_proof(proof).then(|| proof.window_post_partition_sectors().ok()).flatten()
}

/// The longest a sector sealed with `proof` may live (5 years for every current proof).
pub fn seal_proof_sector_maximum_lifetime(proof: RegisteredSealProof) -> Option<ChainEpoch> {
    can_pre_commit_seal_proof(proof)
        .then_some(5 * EPOCHS_IN_YEAR)
        .or_else(|| can_prove_commit_ni_seal_proof(proof).then_some(5 * EPOCHS_IN_YEAR))
}

/// Most deals a sector may hold: 256, or one per 128 MiB of sector if that is more.
pub fn sector_deals_max(size: SectorSize) -> u64 {
    256u64.max(size as u64 >> 27)
}

/// Most sectors a declaration may address across partitions of `partition_sectors` each.
pub fn load_partitions_sectors_max(partition_sectors: u64) -> u64 {
    (ADDRESSED_SECTORS_MAX / partition_sectors.max(1)).min(ADDRESSED_PARTITIONS_MAX)
}

/// Whether `cid` has CommR's prefix (`fil-commitment-sealed`, `poseidon-bls12_381-a1-fc1`).
pub fn is_sealed_sector(cid: &Cid) -> bool {
    cid.version() == cid::Version::V1
        && cid.codec() == 0xf102
        && cid.hash().code() == 0xb401
        && cid.hash().size() == 32
}

/// Whether `cid` has CommD's prefix (`fil-commitment-unsealed`, `sha2-256-trunc254-padded`).
pub fn is_unsealed_sector(cid: &Cid) -> bool {
    cid.version() == cid::Version::V1
        && cid.codec() == 0xf101
        && cid.hash().code() == 0x1012
        && cid.hash().size() == 32
}
