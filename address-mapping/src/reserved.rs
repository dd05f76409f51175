//! Reserved 0x addresses: precompiles, and the EAM's "cannot be assigned" rule.
//!
//! Two different rules live here and they deliberately do not agree:
//!
//! * The **EVM interpreter** treats a CALL target as a precompile (never an actor send) when it is
//!   `0x00 ‖ 18 zero bytes ‖ k` or `0xfe ‖ 18 zero bytes ‖ k` with `k ≠ 0`, or exactly
//!   `0x00…0100` (P256VERIFY, FIP-0113). See [`is_reserved_precompile`].
//! * The **EAM** refuses to deploy a contract at the null address, at a masked ID, or at any
//!   address whose first byte is `0x00` or `0xfe` followed by 18 zero bytes (including `k = 0`).
//!   See [`can_assign_address`].
//!
//! The EAM rule does **not** cover P256VERIFY's `0x00…0100` (its 19th byte is `0x01`): FIP-0113
//! says that address must not be deployable, but builtin-actors' EAM check predates it. We mirror
//! the deployed behaviour rather than the FIP, because consensus follows the code; a contract
//! deployed there would be unreachable by CALL since the interpreter intercepts that address
//! (FEVM.md §8 item 6).

use alloy_primitives::Address as EthAddress;

use crate::masked_id::is_masked_id;

/// First byte of the Ethereum precompile range (`0x00…000k`).
pub const ETHEREUM_PRECOMPILE_PREFIX: u8 = 0x00;

/// First byte of the Filecoin precompile range (`0xfe00…000k`).
pub const FILECOIN_PRECOMPILE_PREFIX: u8 = 0xfe;

/// P256VERIFY (EIP-7951 / RIP-7212, FIP-0113): the only precompile outside the two
/// single-byte-index ranges.
pub const P256VERIFY_ADDRESS: EthAddress =
    EthAddress::new([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00]);

/// If `address` is `prefix ‖ 18 zero bytes ‖ k`, returns `k` (which may be 0).
const fn range_index(address: &EthAddress, prefix: u8) -> Option<u8> {
    match address.0.0 {
        [p, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, k] if p == prefix => Some(k),
        _ => None,
    }
}

/// `0x00 ‖ 18 zero bytes ‖ k` with `k ≠ 0`: an Ethereum precompile slot (assigned or not; an
/// unassigned slot still answers "success, empty output" rather than sending to an actor).
pub const fn is_ethereum_precompile_slot(address: &EthAddress) -> bool {
    matches!(range_index(address, ETHEREUM_PRECOMPILE_PREFIX), Some(k) if k != 0)
}

/// `0xfe ‖ 18 zero bytes ‖ k` with `k ≠ 0`: a Filecoin precompile slot (resolve_address,
/// lookup_delegated_address, call_actor, …, assigned or not).
pub const fn is_filecoin_precompile_slot(address: &EthAddress) -> bool {
    matches!(range_index(address, FILECOIN_PRECOMPILE_PREFIX), Some(k) if k != 0)
}

/// Whether the EVM interpreter handles a call to `address` as a precompile: either precompile
/// slot range, or exactly [`P256VERIFY_ADDRESS`]. The null address and `0xfe00…00` are not
/// precompiles.
pub fn is_reserved_precompile(address: &EthAddress) -> bool {
    is_ethereum_precompile_slot(address)
        || is_filecoin_precompile_slot(address)
        || *address == P256VERIFY_ADDRESS
}

/// The EAM's rule for whether a computed CREATE/CREATE2/CreateExternal address may be assigned.
///
/// Refused: the null address, masked IDs, and every `0x00`/`0xfe` ‖ 18 zero bytes ‖ any byte
/// (the index is not checked: the EAM does not know which precompiles the EVM implements). Note
/// that P256VERIFY's `0x00…0100` **is** assignable under this rule; see the module docs.
pub fn can_assign_address(address: &EthAddress) -> bool {
    !(address.is_zero()
        || is_masked_id(address)
        || range_index(address, ETHEREUM_PRECOMPILE_PREFIX).is_some()
        || range_index(address, FILECOIN_PRECOMPILE_PREFIX).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::masked_id::masked_id_address;

    /// `prefix ‖ 17 zero bytes ‖ hi ‖ lo`.
    fn addr(prefix: u8, hi: u8, lo: u8) -> EthAddress {
        let mut bytes = [0u8; 20];
        bytes[0] = prefix;
        bytes[18] = hi;
        bytes[19] = lo;
        EthAddress::new(bytes)
    }

    #[test]
    fn ethereum_slots_exclude_index_zero() {
        assert!(!is_ethereum_precompile_slot(&addr(0x00, 0, 0)));
        for k in [0x01, 0x09, 0x0a, 0x11, 0x12, 0xff] {
            assert!(is_ethereum_precompile_slot(&addr(0x00, 0, k)), "{k:#x}");
            assert!(is_reserved_precompile(&addr(0x00, 0, k)), "{k:#x}");
            assert!(!is_filecoin_precompile_slot(&addr(0x00, 0, k)), "{k:#x}");
        }
    }

    #[test]
    fn filecoin_slots_exclude_index_zero() {
        assert!(!is_filecoin_precompile_slot(&addr(0xfe, 0, 0)));
        assert!(!is_reserved_precompile(&addr(0xfe, 0, 0)));
        for k in [0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0xff] {
            assert!(is_filecoin_precompile_slot(&addr(0xfe, 0, k)), "{k:#x}");
            assert!(is_reserved_precompile(&addr(0xfe, 0, k)), "{k:#x}");
        }
    }

    #[test]
    fn p256verify_is_reserved_but_its_neighbours_are_not() {
        assert_eq!(P256VERIFY_ADDRESS, addr(0x00, 0x01, 0x00));
        assert!(is_reserved_precompile(&P256VERIFY_ADDRESS));
        assert!(!is_ethereum_precompile_slot(&P256VERIFY_ADDRESS));
        assert!(!is_reserved_precompile(&addr(0x00, 0x01, 0x01)));
        assert!(!is_reserved_precompile(&addr(0x00, 0x02, 0x00)));
        assert!(!is_reserved_precompile(&addr(0xfe, 0x01, 0x00)));
    }

    #[test]
    fn other_prefixes_and_dirty_middles_are_not_precompiles() {
        for prefix in [0x01, 0xfd, 0xff] {
            assert!(!is_reserved_precompile(&addr(prefix, 0, 1)), "{prefix:#x}");
        }
        let mut bytes = [0u8; 20];
        bytes[1] = 1;
        bytes[19] = 1;
        assert!(!is_reserved_precompile(&EthAddress::new(bytes)));
    }

    #[test]
    fn eam_refuses_null_masked_ids_and_both_ranges_including_index_zero() {
        assert!(!can_assign_address(&EthAddress::ZERO));
        assert!(!can_assign_address(&masked_id_address(0)));
        assert!(!can_assign_address(&masked_id_address(1234)));
        assert!(!can_assign_address(&masked_id_address(u64::MAX)));
        for k in [0x00, 0x01, 0x0a, 0xff] {
            assert!(!can_assign_address(&addr(0x00, 0, k)), "0x00..{k:02x}");
            assert!(!can_assign_address(&addr(0xfe, 0, k)), "0xfe..{k:02x}");
        }
    }

    #[test]
    fn eam_rule_does_not_cover_p256verify() {
        // FEVM.md §8 item 6: the EAM's check is byte-range based and misses 0x…0100.
        assert!(can_assign_address(&P256VERIFY_ADDRESS));
        assert!(is_reserved_precompile(&P256VERIFY_ADDRESS));
    }

    #[test]
    fn eam_accepts_ordinary_addresses() {
        assert!(can_assign_address(&addr(0x00, 0x01, 0x01)));
        assert!(can_assign_address(&addr(0xfe, 0x01, 0x00)));
        assert!(can_assign_address(&addr(0x01, 0, 0)));
        assert!(can_assign_address(&EthAddress::new([0xff; 20])));
        // 0xff with non-zero padding is an ordinary address, not a masked ID.
        let mut bytes = [0u8; 20];
        bytes[0] = 0xff;
        bytes[11] = 1;
        assert!(can_assign_address(&EthAddress::new(bytes)));
    }
}
