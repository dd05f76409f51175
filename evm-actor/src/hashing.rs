//! Hash helpers shared by the interpreter and the precompiles.

/// blake2b with a 256-bit output.
pub(crate) fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let hash = blake2b_simd::Params::new().hash_length(32).hash(data);
    let mut out = [0u8; 32];
    out.copy_from_slice(hash.as_bytes());
    out
}
