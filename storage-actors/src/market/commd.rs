//! CommD, the unsealed sector CID, from a sector's pieces: the FVM's
//! `compute_unsealed_sector_cid`, which the market runs for `VerifyDealsForActivation` and
//! `BatchActivateDeals`.
//!
//! The sector is a binary Merkle tree of 32-byte nodes whose parent is sha256(left ‖ right) with
//! the top two bits of the last byte cleared (sha2-256-trunc254-padded). Pieces sit in order,
//! each aligned to its own size by zero pieces (the bits of the gap, smallest first); zero
//! pieces fill the rest of the sector. A zero piece's commitment is the tree over zeros.
//!

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_shared::commcid::{FIL_COMMITMENT_UNSEALED, SHA2_256_TRUNC254_PADDED};
use fvm_shared::piece::PieceInfo;
use fvm_shared::sector::RegisteredSealProof;
use sha2::{Digest, Sha256};

use super::types::DealProposal;

type Node = [u8; 32];

/// Smallest piece: four 32-byte nodes.
const MIN_PIECE_SIZE: u64 = 128;

/// Whether `cid` is a piece (unsealed commitment) CID.
pub fn is_piece_cid(cid: &Cid) -> bool {
    cid.version() == cid::Version::V1
        && cid.codec() == FIL_COMMITMENT_UNSEALED
        && cid.hash().code() == SHA2_256_TRUNC254_PADDED
        && cid.hash().size() == 32
}

/// The unsealed-commitment CID of a 32-byte commitment.
pub fn piece_cid(commitment: &Node) -> Result<Cid, ActorError> {
    let mh = cid::multihash::Multihash::wrap(SHA2_256_TRUNC254_PADDED, commitment)
        .map_err(|e| ActorError::illegal_argument(e.to_string()))?;
    Ok(Cid::new_v1(FIL_COMMITMENT_UNSEALED, mh))
}

fn parent(left: &Node, right: &Node) -> Node {
    let mut out: Node = Sha256::new().chain_update(left).chain_update(right).finalize().into();
    out[31] &= 0x3f;
    out
}

/// The commitment of `size` zero bytes (`size` a power of two ≥ 32).
pub fn zero_commitment(size: u64) -> Node {
    let mut node = [0u8; 32];
    let mut at = 32;
    while at < size {
        node = parent(&node, &node);
        at <<= 1;
    }
    node
}

struct Stack(Vec<(u64, Node)>);

impl Stack {
    fn push(&mut self, size: u64, node: Node) {
        self.0.push((size, node));
        while let [.., (ls, l), (rs, r)] = self.0.as_slice()
            && ls == rs
        {
            let (size, merged) = (ls * 2, parent(l, r));
            self.0.truncate(self.0.len() - 2);
            self.0.push((size, merged));
        }
    }
}

/// CommD of a sector of `proof`'s size holding the pieces of `deals` in order.
pub fn compute_unsealed_sector_cid(
    proof: RegisteredSealProof,
    deals: &[DealProposal],
) -> Result<Cid, ActorError> {
    let pieces: Vec<PieceInfo> =
        deals.iter().map(|d| PieceInfo { size: d.piece_size, cid: d.piece_cid }).collect();
    unsealed_cid_of_pieces(proof, &pieces)
}

/// CommD of a sector of `proof`'s size holding `pieces` in order (what the FVM's
/// `compute_unsealed_sector_cid` syscall returns; the miner runs it over piece manifests).
pub fn unsealed_cid_of_pieces(
    proof: RegisteredSealProof,
    pieces: &[PieceInfo],
) -> Result<Cid, ActorError> {
    let sector_size = proof
        .sector_size()
        .map_err(|e| ActorError::illegal_argument(format!("unknown sector size: {e}")))?
        as u64;
    let mut stack = Stack(Vec::new());
    let mut offset: u64 = 0;
    let pad_to = |stack: &mut Stack, offset: &mut u64, align: u64| {
        while !offset.is_multiple_of(align) {
            let gap = 1u64 << offset.trailing_zeros();
            stack.push(gap, zero_commitment(gap));
            *offset += gap;
        }
    };
    for p in pieces {
        let size = p.size.0;
        if size < MIN_PIECE_SIZE || !size.is_power_of_two() {
            return Err(ActorError::illegal_argument(format!("invalid piece size {size}")));
        }
        if !is_piece_cid(&p.cid) {
            return Err(ActorError::illegal_argument(format!("{} is not a piece CID", p.cid)));
        }
        pad_to(&mut stack, &mut offset, size);
        let end = offset.checked_add(size).filter(|&end| end <= sector_size).ok_or_else(|| {
            ActorError::illegal_argument("pieces do not fit in the sector".to_string())
        })?;
        let mut node = [0u8; 32];
        node.copy_from_slice(p.cid.hash().digest());
        stack.push(size, node);
        offset = end;
    }
    if offset == 0 {
        return piece_cid(&zero_commitment(sector_size));
    }
    pad_to(&mut stack, &mut offset, sector_size);
    match stack.0.as_slice() {
        [(size, root)] if *size == sector_size => piece_cid(root),
        _ => Err(ActorError::illegal_state("unbalanced piece tree".to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::types::Label;
    use fvm_shared::address::Address;
    use fvm_shared::econ::TokenAmount;
    use fvm_shared::piece::PaddedPieceSize;

    fn hex(node: &Node) -> String {
        node.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn deal(cid: Cid, size: u64) -> DealProposal {
        DealProposal {
            piece_cid: cid,
            piece_size: PaddedPieceSize(size),
            verified_deal: false,
            client: Address::new_id(100),
            provider: Address::new_id(101),
            label: Label::String(String::new()),
            start_epoch: 0,
            end_epoch: 1,
            storage_price_per_epoch: TokenAmount::default(),
            provider_collateral: TokenAmount::default(),
            client_collateral: TokenAmount::default(),
        }
    }

    #[test]
    fn zero_commitments_match_the_proofs() {
        // The storage spec §5.3 (and builtin-actors' miner commd.rs).
        assert!(hex(&zero_commitment(128)).starts_with("3731bb99"));
        assert!(hex(&zero_commitment(128)).ends_with("488333"));
        assert!(hex(&zero_commitment(2048)).starts_with("fc7e9282"));
        assert!(hex(&zero_commitment(2048)).ends_with("18f833"));
        // 1024 zero bytes of payload pad to a 2048-byte piece: go-fil-commp-hashhash's vector.
        let cid = piece_cid(&zero_commitment(2048)).unwrap();
        assert_eq!(
            cid.to_string(),
            "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy"
        );
    }

    #[test]
    fn pieces_are_aligned_and_padded_with_zero_pieces() {
        let proof = RegisteredSealProof::StackedDRG2KiBV1P1;
        let empty = compute_unsealed_sector_cid(proof, &[]).unwrap();
        assert_eq!(empty, piece_cid(&zero_commitment(2048)).unwrap());
        // A full-size piece is the sector's CommD.
        let whole: Cid =
            "baga6ea4seaqdlpnhgsndrgjeu4p46hahlsr4lybg6du4d56ooppdpxhcofxeuoi".parse().unwrap();
        assert_eq!(compute_unsealed_sector_cid(proof, &[deal(whole, 2048)]).unwrap(), whole);
        // Zero pieces are indistinguishable from padding: a 128-byte zero piece then a
        // 512-byte zero piece (aligned after 384 bytes of padding) is the empty sector.
        let z128 = piece_cid(&zero_commitment(128)).unwrap();
        let z512 = piece_cid(&zero_commitment(512)).unwrap();
        let pieces = [deal(z128, 128), deal(z512, 512)];
        assert_eq!(compute_unsealed_sector_cid(proof, &pieces).unwrap(), empty);
        // A data piece changes the root, wherever it lands.
        let cc: Cid =
            "baga6ea4seaqmfldjtozgne6adk7eve2vdxte7vzlivae7nzsbrawobo546zkijq".parse().unwrap();
        let a = compute_unsealed_sector_cid(proof, &[deal(cc, 128)]).unwrap();
        let b = compute_unsealed_sector_cid(proof, &[deal(z128, 128), deal(cc, 128)]).unwrap();
        let mut left = [0u8; 32];
        left.copy_from_slice(cc.hash().digest());
        let (mut at0, mut at1) = (left, parent(&zero_commitment(128), &left));
        at0 = parent(&at0, &zero_commitment(128));
        for size in [256, 512, 1024] {
            at0 = parent(&at0, &zero_commitment(size));
            at1 = parent(&at1, &zero_commitment(size));
        }
        assert_eq!(a, piece_cid(&at0).unwrap());
        assert_eq!(b, piece_cid(&at1).unwrap());
        assert_ne!(a, empty);
        // Too much data, or a bad size, is refused.
        let too_much = [deal(whole, 2048), deal(cc, 128)];
        assert!(compute_unsealed_sector_cid(proof, &too_much).is_err());
        assert!(compute_unsealed_sector_cid(proof, &[deal(cc, 96)]).is_err());
    }
}
