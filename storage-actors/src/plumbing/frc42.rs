//! FRC-0042 method numbers: the first big-endian 4-byte chunk of blake2b-512("1|" + name) that
//! is at least 2^24. Actors declare their numbers as constants; tests pin each constant to this.

/// The FRC-42 number of a method name.
///
/// # Panics
/// If no chunk of the 64-byte digest qualifies (the FRC says to pick another name; none of the
/// names used by Filecoin's actors does this).
pub fn method_hash(name: &str) -> u64 {
    let digest = blake2b_simd::Params::new().hash_length(64).hash(format!("1|{name}").as_bytes());
    digest
        .as_bytes()
        .chunks_exact(4)
        .map(|c| u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
        .find(|&n| n >= 1 << 24)
        .unwrap_or_else(|| panic!("no FRC-42 number for {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_the_network() {
        // Values from the storage spec's §1.1 (and Zondax's filecoin-solidity constants).
        assert_eq!(method_hash("AuthenticateMessage"), 2_643_134_072);
        assert_eq!(method_hash("Receive"), 3_726_118_371);
        assert_eq!(method_hash("AddBalance"), 822_473_126);
        assert_eq!(method_hash("MarketNotifyDeal"), 4_186_741_094);
        assert_eq!(method_hash("Transfer"), 80_475_954);
    }
}
