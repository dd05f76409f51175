//! Drawing randomness the way builtin-actors does (`runtime/src/runtime/randomness.rs`): the
//! VM hands out one 32-byte digest per epoch (the ticket's or the beacon's), and each use mixes
//! in a domain-separation tag and its own entropy, so that no two uses of one epoch's
//! randomness can be played against each other.

use filecoin_vm::{ActorError, Runtime};
use fvm_shared::clock::ChainEpoch;

/// Domain-separation tags (FIP-0002 numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum DomainSeparationTag {
    /// Block tickets.
    TicketProduction = 1,
    /// Election proofs.
    ElectionProofProduction = 2,
    /// Winning PoSt challenges.
    WinningPoStChallengeSeed = 3,
    /// Window PoSt challenges.
    WindowedPoStChallengeSeed = 4,
    /// The ticket a sector is sealed with.
    SealRandomness = 5,
    /// The interactive seal challenge.
    InteractiveSealChallengeSeed = 6,
    /// Deadline assignment.
    WindowPoStDeadlineAssignment = 7,
    /// Market cron seeds.
    MarketDealCronSeed = 8,
    /// The chain commitment a Window PoSt names.
    PoStChainCommit = 9,
    /// EVM `PREVRANDAO`.
    EvmPrevRandao = 10,
}

/// blake2b-256(i64be(tag) ‖ digest ‖ i64be(epoch) ‖ entropy).
pub fn draw_randomness(
    digest: &[u8; 32],
    tag: DomainSeparationTag,
    epoch: ChainEpoch,
    entropy: &[u8],
) -> [u8; 32] {
    let mut state = blake2b_simd::Params::new().hash_length(32).to_state();
    state.update(&(tag as i64).to_be_bytes());
    state.update(digest);
    state.update(&epoch.to_be_bytes());
    state.update(entropy);
    let mut out = [0u8; 32];
    out.copy_from_slice(state.finalize().as_bytes());
    out
}

/// Randomness drawn from the chain's tickets at `epoch`.
pub fn ticket_randomness(
    rt: &mut dyn Runtime,
    tag: DomainSeparationTag,
    epoch: ChainEpoch,
    entropy: &[u8],
) -> Result<[u8; 32], ActorError> {
    let digest = rt.chain_randomness(epoch)?;
    Ok(draw_randomness(&digest, tag, epoch, entropy))
}

/// Randomness drawn from the beacon at `epoch`.
pub fn beacon_randomness(
    rt: &mut dyn Runtime,
    tag: DomainSeparationTag,
    epoch: ChainEpoch,
    entropy: &[u8],
) -> Result<[u8; 32], ActorError> {
    let digest = rt.beacon_randomness(epoch)?;
    Ok(draw_randomness(&digest, tag, epoch, entropy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_changes_the_draw() {
        let base = draw_randomness(&[7; 32], DomainSeparationTag::SealRandomness, 10, b"x");
        assert_ne!(base, draw_randomness(&[7; 32], DomainSeparationTag::PoStChainCommit, 10, b"x"));
        assert_ne!(base, draw_randomness(&[8; 32], DomainSeparationTag::SealRandomness, 10, b"x"));
        assert_ne!(base, draw_randomness(&[7; 32], DomainSeparationTag::SealRandomness, 11, b"x"));
        assert_ne!(base, draw_randomness(&[7; 32], DomainSeparationTag::SealRandomness, 10, b"y"));
        // The hash input is the 8-byte tag, the digest, the 8-byte epoch and the entropy.
        let mut input = 5i64.to_be_bytes().to_vec();
        input.extend_from_slice(&[7; 32]);
        input.extend_from_slice(&10i64.to_be_bytes());
        input.extend_from_slice(b"x");
        let direct = blake2b_simd::Params::new().hash_length(32).hash(&input);
        assert_eq!(&base[..], direct.as_bytes());
    }
}
