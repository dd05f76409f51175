//! The signature and hashing primitives actors reach through the [`Runtime`](crate::Runtime):
//! what ref-fvm's crypto syscalls compute, as pure functions. Gas is charged by the runtime
//! methods that wrap them, not here.
//!
//! Filecoin signs with two schemes. An f1 account's key is secp256k1: a 65-byte `r ‖ s ‖ v`
//! signature over blake2b-256 of the plaintext, checked by recovering the key and comparing
//! its f1 address. An f3 account's key is BLS12-381 in the "min-pk" layout: 48-byte public
//! keys in G1, 96-byte signatures in G2, hashed to the curve with the IETF ciphersuite below.

use fvm_shared::address::Address;

/// Length of a secp256k1 signature: `r ‖ s ‖ v`.
pub const SECP_SIG_LEN: usize = 65;
/// Length of an uncompressed secp256k1 public key.
pub const SECP_PUB_LEN: usize = 65;
/// Length of a compressed BLS signature (a G2 point).
pub const BLS_SIG_LEN: usize = 96;
/// Length of a compressed BLS public key (a G1 point).
pub const BLS_PUB_LEN: usize = 48;

/// The hash-to-curve domain separation tag of Filecoin's BLS signatures (the IETF
/// `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_` suite, "basic" scheme).
pub const BLS_DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_";

/// blake2b with a 32-byte digest: what Filecoin means by "the hash" of a message.
pub fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let hash = blake2b_simd::Params::new().hash_length(32).hash(data);
    let mut out = [0u8; 32];
    out.copy_from_slice(hash.as_bytes());
    out
}

/// The uncompressed public key that made `signature` over the 32-byte `digest`, or `None` if
/// the signature is malformed (bad recovery byte, `r`/`s` out of range) or recovers no key.
pub fn recover_secp_public_key(
    digest: &[u8; 32],
    signature: &[u8; SECP_SIG_LEN],
) -> Option<[u8; SECP_PUB_LEN]> {
    use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
    let recovery = RecoveryId::try_from(i32::from(signature[64])).ok()?;
    let sig = RecoverableSignature::from_compact(&signature[..64], recovery).ok()?;
    let key =
        secp256k1::SECP256K1.recover_ecdsa(secp256k1::Message::from_digest(*digest), &sig).ok()?;
    Some(key.serialize_uncompressed())
}

/// Whether `signature` aggregates the signatures of `public_keys[i]` over `plaintexts[i]`.
///
/// As in Filecoin (bls-signatures' `verify_messages`): false if the counts differ, if a key or
/// the signature is not a valid point of its group, or if two plaintexts are equal (aggregates
/// over repeated messages are forgeable). Zero signers verify trivially.
pub fn verify_bls_aggregate(
    signature: &[u8; BLS_SIG_LEN],
    public_keys: &[[u8; BLS_PUB_LEN]],
    plaintexts: &[&[u8]],
) -> bool {
    use blst::BLST_ERROR;
    use blst::min_pk::{PublicKey, Signature};
    if public_keys.len() != plaintexts.len() {
        return false;
    }
    if public_keys.is_empty() {
        return true;
    }
    let mut seen = std::collections::HashSet::with_capacity(plaintexts.len());
    if !plaintexts.iter().all(|p| seen.insert(*p)) {
        return false;
    }
    let Ok(sig) = Signature::from_bytes(signature) else { return false };
    let Ok(keys) =
        public_keys.iter().map(|k| PublicKey::from_bytes(k)).collect::<Result<Vec<_>, _>>()
    else {
        return false;
    };
    let keys: Vec<&PublicKey> = keys.iter().collect();
    // Group checks on both: a point outside the prime-order subgroup never verifies.
    sig.aggregate_verify(true, plaintexts, BLS_DST, &keys, true) == BLST_ERROR::BLST_SUCCESS
}

/// A signature as actors receive it in parameters: the type byte (1 secp256k1, 2 BLS) and
/// the raw bytes, Filecoin's `crypto.Signature` (fvm_shared's encoding).
pub use fvm_shared::crypto::signature::{Signature, SignatureType};

/// Whether `signature` can be checked against `signer` at all: a secp256k1 signature of 65
/// bytes for an f1 signer, a BLS one of 96 bytes for an f3 signer (ref-fvm's
/// `IllegalArgument` otherwise).
pub fn check_signature_shape(signature: &Signature, signer: &Address) -> Result<(), String> {
    use fvm_shared::address::Protocol;
    let (protocol, len) = match signature.signature_type() {
        SignatureType::Secp256k1 => (Protocol::Secp256k1, SECP_SIG_LEN),
        SignatureType::BLS => (Protocol::BLS, BLS_SIG_LEN),
    };
    if signer.protocol() != protocol {
        return Err(format!(
            "a {:?} signature cannot be checked against {signer}",
            signature.signature_type()
        ));
    }
    if signature.bytes().len() != len {
        return Err(format!(
            "a {:?} signature must be {len} bytes, got {}",
            signature.signature_type(),
            signature.bytes().len()
        ));
    }
    Ok(())
}

/// Whether `signature` is `signer`'s over `plaintext`, computed without gas (the runtime's
/// [`verify_signature`](crate::Runtime::verify_signature) charges for it). `Err` when
/// [`check_signature_shape`] refuses the pair.
pub fn verify_signature(
    signature: &Signature,
    signer: &Address,
    plaintext: &[u8],
) -> Result<bool, String> {
    use fvm_shared::address::Payload;
    check_signature_shape(signature, signer)?;
    let bytes = signature.bytes();
    Ok(match signer.payload() {
        Payload::Secp256k1(_) => bytes
            .try_into()
            .ok()
            .and_then(|sig| recover_secp_public_key(&blake2b_256(plaintext), sig))
            .is_some_and(|key| Address::new_secp256k1(&key).is_ok_and(|a| a == *signer)),
        Payload::BLS(key) => {
            bytes.try_into().is_ok_and(|sig| verify_bls_aggregate(sig, &[*key], &[plaintext]))
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A BLS key from fixed key material (blst's IETF KeyGen).
    fn bls_key(seed: u8) -> blst::min_pk::SecretKey {
        blst::min_pk::SecretKey::key_gen(&[seed; 32], &[]).unwrap()
    }

    fn bls_sign(key: &blst::min_pk::SecretKey, msg: &[u8]) -> Signature {
        Signature::new_bls(key.sign(msg, BLS_DST, &[]).compress().to_vec())
    }

    #[test]
    fn bls_signatures_verify_for_their_key_and_message_only() {
        let key = bls_key(1);
        let signer = Address::new_bls(&key.sk_to_pk().compress()).unwrap();
        let sig = bls_sign(&key, b"deal proposal");
        assert_eq!(verify_signature(&sig, &signer, b"deal proposal"), Ok(true));
        assert_eq!(verify_signature(&sig, &signer, b"deal proposal!"), Ok(false));
        let other = Address::new_bls(&bls_key(2).sk_to_pk().compress()).unwrap();
        assert_eq!(verify_signature(&sig, &other, b"deal proposal"), Ok(false));
        // Not a curve point: false, not an error.
        let garbage = Signature::new_bls(vec![0xab; BLS_SIG_LEN]);
        assert_eq!(verify_signature(&garbage, &signer, b"deal proposal"), Ok(false));
        // Wrong length or wrong signer kind: errors.
        assert!(verify_signature(&Signature::new_bls(vec![1; 10]), &signer, b"x").is_err());
        assert!(verify_signature(&sig, &Address::new_id(5), b"x").is_err());
    }

    #[test]
    fn bls_aggregates_refuse_repeated_plaintexts() {
        let (a, b) = (bls_key(3), bls_key(4));
        let pks = [a.sk_to_pk().compress(), b.sk_to_pk().compress()];
        let agg = |m1: &[u8], m2: &[u8]| {
            let s1 = a.sign(m1, BLS_DST, &[]);
            let s2 = b.sign(m2, BLS_DST, &[]);
            let agg = blst::min_pk::AggregateSignature::aggregate(&[&s1, &s2], true).unwrap();
            agg.to_signature().compress()
        };
        assert!(verify_bls_aggregate(&agg(b"one", b"two"), &pks, &[b"one", b"two"]));
        assert!(!verify_bls_aggregate(&agg(b"one", b"two"), &pks, &[b"two", b"one"]));
        assert!(!verify_bls_aggregate(&agg(b"same", b"same"), &pks, &[b"same", b"same"]));
        assert!(!verify_bls_aggregate(&agg(b"one", b"two"), &pks[..1], &[b"one", b"two"]));
    }

    #[test]
    fn secp_signatures_recover_the_f1_signer() {
        let secret = secp256k1::SecretKey::from_byte_array([7; 32]).unwrap();
        let public = secret.public_key(secp256k1::SECP256K1).serialize_uncompressed();
        let signer = Address::new_secp256k1(&public).unwrap();
        let digest = blake2b_256(b"voucher");
        let (id, rs) = secp256k1::SECP256K1
            .sign_ecdsa_recoverable(secp256k1::Message::from_digest(digest), &secret)
            .serialize_compact();
        let mut bytes = rs.to_vec();
        bytes.push(i32::from(id) as u8);
        let sig = Signature::new_secp256k1(bytes.clone());
        assert_eq!(verify_signature(&sig, &signer, b"voucher"), Ok(true));
        assert_eq!(verify_signature(&sig, &signer, b"voucher2"), Ok(false));
        bytes[64] = 9; // not a recovery id
        assert_eq!(
            verify_signature(&Signature::new_secp256k1(bytes), &signer, b"voucher"),
            Ok(false)
        );
        // A BLS signer cannot be checked with a secp256k1 signature.
        let bls = Address::new_bls(&bls_key(1).sk_to_pk().compress()).unwrap();
        assert!(verify_signature(&sig, &bls, b"voucher").is_err());
    }
}
