//! Proof verification on the devnet: what the FVM's proof syscalls would do, without proof
//! parameters. The rule is builtin-actors' `testing-fake-proofs` bundle, the one Lotus's mock
//! sealer targets:
//!
//! - seals (single or aggregated) and replica updates are accepted;
//! - a Window PoSt is valid iff its single proof equals
//!   `sha256(randomness with byte 31 & 0x3f ‖ CBOR(SectorInfo) of each challenged sector)`
//!   ([`expected_window_post_proof`]), so a provider that skips sectors or proves against the
//!   wrong challenge is caught exactly where the network would catch it;
//! - reported consensus faults never verify (the devnet has one block producer).
//!
//! Gas is charged at the network's prices for each syscall (ref-fvm's price list, FIP-0032
//! onwards), so gas estimates of proving messages have the network's shape.

use filecoin_vm::{ActorError, Gas, Runtime};
use fvm_ipld_encoding::to_vec;
use fvm_shared::sector::{PoStProof, SectorInfo};
use sha2::{Digest, Sha256};

/// Verifying one seal proof (`batch_verify_seals` charges this per seal).
pub const VERIFY_SEAL_GAS: Gas = Gas::new(42_000_000);
/// Verifying an aggregate of seal proofs: per sector (the 32 GiB price, which smaller sector
/// sizes fall back to).
pub const VERIFY_AGGREGATE_SEAL_PER_SECTOR_GAS: Gas = Gas::new(449_900);
/// Verifying a replica update proof.
pub const VERIFY_REPLICA_UPDATE_GAS: Gas = Gas::new(36_316_136);
/// Verifying a Window PoSt: flat part (512 MiB price, which 2 KiB falls back to).
pub const VERIFY_POST_BASE_GAS: Gas = Gas::new(117_680_921);
/// Verifying a Window PoSt: per challenged sector.
pub const VERIFY_POST_PER_SECTOR_GAS: Gas = Gas::new(43_780);
/// Verifying a consensus fault report.
pub const VERIFY_CONSENSUS_FAULT_GAS: Gas = Gas::new(516_422);
/// Computing CommD from pieces (`compute_unsealed_sector_cid`).
pub const COMPUTE_UNSEALED_SECTOR_CID_GAS: Gas = Gas::new(98_647);

/// Aggregate verification's stepped part: (fewest sectors, gas) for 32 GiB V1P1.
const AGGREGATE_STEPS: [(u64, u64); 8] = [
    (4, 103_994_170),
    (7, 112_356_810),
    (13, 122_912_610),
    (26, 137_559_930),
    (52, 162_039_100),
    (103, 210_960_780),
    (205, 318_351_180),
    (410, 528_274_980),
];

/// Verifies `count` seal proofs one by one: charges each, accepts each.
pub fn batch_verify_seals(rt: &mut dyn Runtime, count: usize) -> Result<Vec<bool>, ActorError> {
    for _ in 0..count {
        rt.charge_gas(VERIFY_SEAL_GAS)?;
    }
    Ok(vec![true; count])
}

/// Verifies an aggregate of `count` seal proofs: charges it, accepts it.
pub fn verify_aggregate_seals(rt: &mut dyn Runtime, count: u64) -> Result<(), ActorError> {
    let step = AGGREGATE_STEPS.iter().rev().find(|(start, _)| *start <= count).map_or(0, |s| s.1);
    rt.charge_gas(VERIFY_AGGREGATE_SEAL_PER_SECTOR_GAS.times(count).plus(Gas::new(step)))
}

/// Verifies a replica update proof: charges it, accepts it.
pub fn verify_replica_update(rt: &mut dyn Runtime) -> Result<(), ActorError> {
    rt.charge_gas(VERIFY_REPLICA_UPDATE_GAS)
}

/// Verifies a consensus fault report: charges it; there never is a fault on this devnet.
pub fn verify_consensus_fault(rt: &mut dyn Runtime) -> Result<bool, ActorError> {
    rt.charge_gas(VERIFY_CONSENSUS_FAULT_GAS)?;
    Ok(false)
}

/// Verifies a Window PoSt over `challenged` sectors with the drawn `randomness`: charges it,
/// then checks the devnet rule (see the module docs).
pub fn verify_window_post(
    rt: &mut dyn Runtime,
    randomness: &[u8; 32],
    challenged: &[SectorInfo],
    proofs: &[PoStProof],
) -> Result<bool, ActorError> {
    rt.charge_gas(
        VERIFY_POST_BASE_GAS.plus(VERIFY_POST_PER_SECTOR_GAS.times(challenged.len() as u64)),
    )?;
    let [proof] = proofs else { return Ok(false) };
    Ok(proof.proof_bytes == expected_window_post_proof(randomness, challenged)?)
}

/// The one Window PoSt proof the devnet accepts for `challenged` sectors: what a dev storage
/// provider submits.
pub fn expected_window_post_proof(
    randomness: &[u8; 32],
    challenged: &[SectorInfo],
) -> Result<Vec<u8>, ActorError> {
    let mut seed = *randomness;
    seed[31] &= 0x3f;
    let mut hasher = Sha256::new();
    hasher.update(seed);
    for sector in challenged {
        hasher.update(to_vec(sector).map_err(|e| ActorError::serialization(e.to_string()))?);
    }
    Ok(hasher.finalize().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cid::Cid;
    use fvm_shared::sector::{RegisteredPoStProof, RegisteredSealProof};

    #[test]
    fn the_expected_proof_binds_the_challenge_and_every_sector() {
        let cid = Cid::default();
        let sector = |n| SectorInfo {
            proof: RegisteredSealProof::StackedDRG2KiBV1P1,
            sector_number: n,
            sealed_cid: cid,
        };
        let rand = [0xff; 32];
        let one = expected_window_post_proof(&rand, &[sector(1)]).unwrap();
        assert_eq!(one.len(), 32);
        // Only the top two bits of the last byte are masked out.
        let mut masked = rand;
        masked[31] = 0x3f;
        assert_eq!(one, expected_window_post_proof(&masked, &[sector(1)]).unwrap());
        masked[30] = 0;
        assert_ne!(one, expected_window_post_proof(&masked, &[sector(1)]).unwrap());
        assert_ne!(one, expected_window_post_proof(&rand, &[sector(2)]).unwrap());
        assert_ne!(one, expected_window_post_proof(&rand, &[sector(1), sector(2)]).unwrap());
        let _ = RegisteredPoStProof::StackedDRGWindow2KiBV1P1;
    }
}
