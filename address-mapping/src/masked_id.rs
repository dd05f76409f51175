//! Masked ID addresses: how the EVM names an actor by its Filecoin ID.
//!
//! An actor that has no Ethereum address (an f1/f3 account, a multisig, a miner…) can still be
//! called from Solidity through its *masked ID*: `0xff`, eleven zero bytes, then the actor ID as a
//! big-endian `u64`. The FEVM maps such a 20-byte word to `f0<id>` instead of `f410f…`, which is
//! why the EAM refuses to assign an Ethereum address of that shape (see
//! [`crate::reserved::can_assign_address`]).
//!
//! ```
//! use address_mapping::{masked_id, masked_id_address};
//! let eth = masked_id_address(1234);
//! assert_eq!(eth.to_string().to_lowercase(), "0xff000000000000000000000000000000000004d2");
//! assert_eq!(masked_id(&eth), Some(1234));
//! ```

use alloy_primitives::Address as EthAddress;

/// The first 12 bytes of every masked ID address: `0xff` followed by eleven zero bytes.
pub const MASKED_ID_PREFIX: [u8; 12] = [0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// The masked ID address of actor `id`: [`MASKED_ID_PREFIX`] ‖ `id` as 8 big-endian bytes.
pub const fn masked_id_address(id: u64) -> EthAddress {
    let [a, b, c, d, e, f, g, h] = id.to_be_bytes();
    EthAddress::new([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, a, b, c, d, e, f, g, h])
}

/// The actor ID embedded in `address` if it is a masked ID address, `None` otherwise.
///
/// Every ID from 0 to `u64::MAX` is accepted; whether an actor exists there is the state tree's
/// question, not this crate's.
pub const fn masked_id(address: &EthAddress) -> Option<u64> {
    match address.0.0 {
        [0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, a, b, c, d, e, f, g, h] => {
            Some(u64::from_be_bytes([a, b, c, d, e, f, g, h]))
        }
        _ => None,
    }
}

/// Whether `address` is a masked ID address (starts with [`MASKED_ID_PREFIX`]).
pub const fn is_masked_id(address: &EthAddress) -> bool {
    masked_id(address).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_prefix(prefix: &[u8], id: u64) -> EthAddress {
        let mut bytes = [0u8; 20];
        bytes[..12].copy_from_slice(prefix);
        bytes[12..].copy_from_slice(&id.to_be_bytes());
        EthAddress::new(bytes)
    }

    #[test]
    fn layout_matches_the_prefix_constant() {
        for id in [0, 1, 10, 1234, u64::MAX] {
            let eth = masked_id_address(id);
            assert_eq!(eth, with_prefix(&MASKED_ID_PREFIX, id));
            assert!(eth.as_slice().starts_with(&MASKED_ID_PREFIX));
            assert_eq!(masked_id(&eth), Some(id));
            assert!(is_masked_id(&eth));
        }
    }

    #[test]
    fn id_is_big_endian_in_the_last_eight_bytes() {
        let eth = masked_id_address(0x0102_0304_0506_0708);
        assert_eq!(eth.as_slice()[12..], [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn near_misses_are_not_masked_ids() {
        // Wrong marker byte.
        let mut prefix = MASKED_ID_PREFIX;
        prefix[0] = 0xfe;
        assert_eq!(masked_id(&with_prefix(&prefix, 1)), None);
        // A non-zero byte anywhere in the eleven-byte padding.
        for i in 1..12 {
            let mut prefix = MASKED_ID_PREFIX;
            prefix[i] = 1;
            assert!(!is_masked_id(&with_prefix(&prefix, 1)), "padding byte {i}");
        }
        // The null address and an all-0xff address.
        assert!(!is_masked_id(&EthAddress::ZERO));
        assert!(!is_masked_id(&EthAddress::new([0xff; 20])));
    }
}
