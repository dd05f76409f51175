//! Raw `eth_sendRawTransaction` bytes → [`EthTransaction`].

use alloy_consensus::{Signed, TxEip1559, TxEnvelope, TxLegacy, transaction::from_eip155_value};
use alloy_eips::eip2718::{Eip2718Result, Encodable2718};
use alloy_primitives::{Address as EthAddress, U256, keccak256};
use alloy_rlp::{Decodable, Header};

use super::to_message::{build_message, classify, f410_of};
use super::{EthTransaction, MAX_RAW_TX_BYTES, TxError};

/// EIP-2718 type byte of EIP-2930 transactions.
const TYPE_EIP2930: u8 = 0x01;
/// EIP-2718 type byte of EIP-1559 transactions.
const TYPE_EIP1559: u8 = 0x02;
/// EIP-2718 type byte of EIP-4844 blob transactions.
const TYPE_EIP4844: u8 = 0x03;
/// EIP-2718 type byte of EIP-7702 set-code transactions.
const TYPE_EIP7702: u8 = 0x04;
/// The first byte of an RLP list; legacy transactions start at or above it.
const RLP_LIST_START: u8 = 0xc0;

/// Decodes and checks a signed Ethereum transaction as `eth_sendRawTransaction` receives it,
/// and converts it to the Filecoin message that carries it.
///
/// Accepts EIP-1559 (type 2), legacy EIP-155 (`v` = chainId·2 + 35/36) and legacy Homestead
/// (`v` = 27/28) transactions in canonical RLP with nothing after them, signed for `chain_id`
/// (Homestead transactions have no chain id), with an empty access list and a valid low-`s`
/// signature. Never panics: every other input is a [`TxError`].
pub fn decode_raw_transaction(raw: &[u8], chain_id: u64) -> Result<EthTransaction, TxError> {
    let &first = raw.first().ok_or(TxError::Empty)?;
    if raw.len() > MAX_RAW_TX_BYTES {
        return Err(TxError::TooLarge { size: raw.len(), max: MAX_RAW_TX_BYTES });
    }
    let envelope = match first {
        TYPE_EIP1559 => {
            TxEnvelope::Eip1559(decode_exact(raw, Signed::<TxEip1559>::eip2718_decode)?)
        }
        TYPE_EIP2930 => return Err(TxError::Eip2930NotSupported),
        TYPE_EIP4844 => return Err(TxError::BlobNotSupported),
        TYPE_EIP7702 => return Err(TxError::Eip7702NotSupported),
        0x00..=0x7f => return Err(TxError::UnsupportedType(first)),
        RLP_LIST_START..=0xff => {
            check_legacy_v(raw)?;
            TxEnvelope::Legacy(decode_exact(raw, Signed::<TxLegacy>::eip2718_decode)?)
        }
        _ => return Err(TxError::MalformedRlp("a legacy transaction must be an RLP list".into())),
    };
    // alloy's decoder is canonical already; re-encoding proves it, and guarantees that the hash
    // below is also the hash of the transaction we rebuild from the Filecoin message.
    if envelope.encoded_2718() != raw {
        return Err(TxError::NonCanonicalRlp("re-encoding differs from the input".into()));
    }
    classify(&envelope, chain_id)?;
    let sender = recover_sender(&envelope)?;
    let (kind, message) = build_message(&envelope, f410_of(sender)?, chain_id)?;
    Ok(EthTransaction { envelope, kind, hash: keccak256(raw), sender, message })
}

/// Runs `decode` over all of `raw`, refusing bytes left over.
fn decode_exact<T>(
    raw: &[u8],
    decode: impl FnOnce(&mut &[u8]) -> Eip2718Result<T>,
) -> Result<T, TxError> {
    let mut buf = raw;
    let decoded = decode(&mut buf)?;
    if buf.is_empty() { Ok(decoded) } else { Err(TxError::TrailingBytes(buf.len())) }
}

/// Refuses a legacy transaction whose `v` (the 7th list item) is neither 27/28 nor a valid
/// EIP-155 value, so that case gets its own error rather than a generic RLP one. Any other
/// malformation is left to the real decoder.
fn check_legacy_v(raw: &[u8]) -> Result<(), TxError> {
    let Some(v) = legacy_v(raw) else { return Ok(()) };
    let valid = u128::try_from(v).ok().and_then(from_eip155_value).is_some();
    if valid { Ok(()) } else { Err(TxError::InvalidLegacyV(v)) }
}

/// The 7th item of an RLP list, as an integer, if the bytes get that far.
fn legacy_v(raw: &[u8]) -> Option<U256> {
    let mut buf = raw;
    let header = Header::decode(&mut buf).ok()?;
    if !header.list {
        return None;
    }
    for _ in 0..6 {
        let item = Header::decode(&mut buf).ok()?;
        buf = buf.get(item.payload_length..)?;
    }
    U256::decode(&mut buf).ok()
}

/// ⌊n/2⌋ for the secp256k1 group order n.
const SECP256K1_HALF_ORDER: U256 = U256::from_be_bytes(alloy_primitives::hex!(
    "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"
));

/// The signer of a transaction, recovered with libsecp256k1 (the pool recovers every incoming
/// transaction once; k256 takes several times longer).
fn recover_sender(envelope: &TxEnvelope) -> Result<EthAddress, TxError> {
    use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
    let signature = envelope.signature();
    // EIP-2: only the low-s form of a signature is valid (libsecp256k1 recovers either).
    if signature.s() > SECP256K1_HALF_ORDER {
        return Err(TxError::InvalidSignature(
            "signature s is in the upper half of the curve order (EIP-2)".into(),
        ));
    }
    let invalid = |e: secp256k1::Error| TxError::InvalidSignature(e.to_string());
    let mut compact = [0u8; 64];
    compact[..32].copy_from_slice(&signature.r().to_be_bytes::<32>());
    compact[32..].copy_from_slice(&signature.s().to_be_bytes::<32>());
    let id = RecoveryId::try_from(i32::from(signature.v())).map_err(invalid)?;
    let recoverable = RecoverableSignature::from_compact(&compact, id).map_err(invalid)?;
    let digest = secp256k1::Message::from_digest(envelope.signature_hash().0);
    let key = secp256k1::SECP256K1.recover_ecdsa(digest, &recoverable).map_err(invalid)?;
    let uncompressed = key.serialize_uncompressed();
    Ok(EthAddress::from_raw_public_key(uncompressed.get(1..).unwrap_or_default()))
}
