//! Filecoin message with a delegated signature → the Ethereum transaction it carries, and the
//! FIP-0055 verification built on that.

use address_mapping::{EAM_NAMESPACE, filecoin_to_eth};
use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{TxEip1559, TxEnvelope, TxLegacy};
use alloy_primitives::{Address as EthAddress, B256, Bytes, Signature, TxKind, U256};
use evm_actor::methods::{EAM_CREATE_EXTERNAL_METHOD, INVOKE_CONTRACT_METHOD};
use fvm_shared::address::{Address, Payload};
use fvm_shared::bigint::Sign;
use fvm_shared::econ::TokenAmount;

use super::params::decode_params;
use super::to_message::{build_message, eip155_v, envelope_1559, envelope_legacy, f410_of};
use super::{EIP155_SIGNATURE_PREFIX, EthTxKind, HOMESTEAD_SIGNATURE_PREFIX, TxError};
use crate::message::{SigType, SignedMessage};

/// Length of an EIP-1559 delegated signature: `r ‖ s ‖ yParity`.
const EIP1559_SIGNATURE_LEN: usize = 65;
/// Length of `r ‖ s`.
const RS_LEN: usize = 64;

/// Rebuilds the signed Ethereum transaction carried by a delegated-signature message: the
/// inverse of [`super::decode_raw_transaction`]'s conversion.
///
/// Requires a delegated signature, an f410 sender, version 0, and either `InvokeContract` on a
/// recipient with a 0x form or `CreateExternal` on the EAM; params must be empty or one
/// non-empty CBOR byte string. The transaction type comes from the signature's layout. The
/// result is **not** authenticated: use [`verify_delegated`] for that.
pub fn eth_transaction_from_message(
    smsg: &SignedMessage,
    chain_id: u64,
) -> Result<TxEnvelope, TxError> {
    let msg = &smsg.message;
    if smsg.signature.sig_type != SigType::Delegated {
        return Err(TxError::NotDelegated(smsg.signature.sig_type));
    }
    if !is_f410(&msg.from) {
        return Err(TxError::SenderNotF410(msg.from));
    }
    if msg.version != 0 {
        return Err(TxError::UnsupportedVersion(msg.version));
    }
    let to = eth_recipient(&msg.to, msg.method_num)?;
    let input = Bytes::copy_from_slice(decode_params(msg.params.bytes())?);
    let value = to_u256(&msg.value).ok_or(TxError::AmountOutOfRange("value"))?;
    let fee_cap = to_u128(&msg.gas_fee_cap).ok_or(TxError::AmountOutOfRange("gas fee cap"))?;
    let premium = to_u128(&msg.gas_premium).ok_or(TxError::AmountOutOfRange("gas premium"))?;
    let (kind, signature) = parse_signature(&smsg.signature.bytes, chain_id)?;
    let nonce = msg.sequence;
    let gas_limit = msg.gas_limit;
    Ok(match kind {
        EthTxKind::Eip1559 => envelope_1559(
            TxEip1559 {
                chain_id,
                nonce,
                gas_limit,
                max_fee_per_gas: fee_cap,
                max_priority_fee_per_gas: premium,
                to,
                value,
                access_list: Default::default(),
                input,
            },
            signature,
        ),
        EthTxKind::Eip155 | EthTxKind::Homestead => envelope_legacy(
            TxLegacy {
                chain_id: (kind == EthTxKind::Eip155).then_some(chain_id),
                nonce,
                gas_price: fee_cap,
                gas_limit,
                to,
                value,
                input,
            },
            signature,
        ),
    })
}

/// The Ethereum transaction hash (keccak256 of the signed EIP-2718 encoding) of a
/// delegated-signature message: what `eth_sendRawTransaction` returned for it.
pub fn eth_hash_of_message(smsg: &SignedMessage, chain_id: u64) -> Result<B256, TxError> {
    Ok(*eth_transaction_from_message(smsg, chain_id)?.tx_hash())
}

/// Authenticates a delegated-signature message (FIP-0055): rebuilds its Ethereum transaction,
/// requires that converting that transaction back gives exactly the same message and signature,
/// recovers the signer over the transaction's signing hash (low `s` required), and requires the
/// signer's f410 address to be the message's `from`. Returns the signer's 0x address.
pub fn verify_delegated(smsg: &SignedMessage, chain_id: u64) -> Result<EthAddress, TxError> {
    let envelope = eth_transaction_from_message(smsg, chain_id)?;
    let (_, rebuilt) = build_message(&envelope, smsg.message.from, chain_id)?;
    if rebuilt != *smsg {
        return Err(TxError::RoundTripMismatch);
    }
    let signer = envelope.recover_signer().map_err(|e| TxError::InvalidSignature(e.to_string()))?;
    if f410_of(signer)? != smsg.message.from {
        return Err(TxError::WrongSigner { from: smsg.message.from, recovered: signer });
    }
    Ok(signer)
}

/// An f410 address: EAM namespace, 20-byte subaddress.
fn is_f410(address: &Address) -> bool {
    matches!(address.payload(), Payload::Delegated(d)
        if d.namespace() == EAM_NAMESPACE && d.subaddress().len() == 20)
}

/// `to` of the transaction: none for `CreateExternal` on the EAM, the 0x form of the recipient
/// for `InvokeContract`.
fn eth_recipient(to: &Address, method: u64) -> Result<TxKind, TxError> {
    let unsupported = || TxError::UnsupportedMethod { to: *to, method };
    if *to == Address::new_id(EAM_NAMESPACE) {
        return if method == EAM_CREATE_EXTERNAL_METHOD {
            Ok(TxKind::Create)
        } else {
            Err(unsupported())
        };
    }
    if method != INVOKE_CONTRACT_METHOD {
        return Err(unsupported());
    }
    filecoin_to_eth(to)
        .map(TxKind::Call)
        .map_err(|source| TxError::RecipientNotEth { to: *to, source })
}

/// The type and ECDSA signature a delegated signature encodes.
fn parse_signature(bytes: &[u8], chain_id: u64) -> Result<(EthTxKind, Signature), TxError> {
    let invalid =
        |why: &str| TxError::InvalidSignatureEncoding(format!("{why} ({} bytes)", bytes.len()));
    if bytes.len() == EIP1559_SIGNATURE_LEN {
        let (rs, v) = bytes.split_at(RS_LEN);
        let parity = match v {
            [0] => false,
            [1] => true,
            _ => return Err(invalid("EIP-1559 yParity must be 0 or 1")),
        };
        return Ok((EthTxKind::Eip1559, signature(rs, parity)));
    }
    let Some((&prefix, rest)) = bytes.split_first() else { return Err(invalid("empty")) };
    let (rs, v) = rest.split_at_checked(RS_LEN).ok_or_else(|| invalid("too short"))?;
    match prefix {
        HOMESTEAD_SIGNATURE_PREFIX => {
            let parity = match v {
                [27] => false,
                [28] => true,
                _ => return Err(invalid("Homestead v must be the single byte 27 or 28")),
            };
            Ok((EthTxKind::Homestead, signature(rs, parity)))
        }
        EIP155_SIGNATURE_PREFIX => {
            let v =
                parse_minimal_be(v).ok_or_else(|| invalid("EIP-155 v is not a minimal integer"))?;
            let parity = if v == eip155_v(chain_id, false) {
                false
            } else if v == eip155_v(chain_id, true) {
                true
            } else {
                return Err(match v.checked_sub(35).map(|x| u64::try_from(x / 2)) {
                    Some(Ok(got)) => TxError::WrongChainId { expected: chain_id, got },
                    _ => invalid("EIP-155 v is below 35 or too large"),
                });
            };
            Ok((EthTxKind::Eip155, signature(rs, parity)))
        }
        _ => Err(invalid("unknown layout")),
    }
}

/// An ECDSA signature from `r ‖ s` (exactly 64 bytes) and the y parity.
fn signature(rs: &[u8], parity: bool) -> Signature {
    let (r, s) = rs.split_at(rs.len() / 2);
    Signature::new(U256::from_be_slice(r), U256::from_be_slice(s), parity)
}

/// A big-endian integer of 1..=16 bytes without a leading zero.
fn parse_minimal_be(bytes: &[u8]) -> Option<u128> {
    match bytes.first() {
        None | Some(0) => None,
        Some(_) if bytes.len() > 16 => None,
        Some(_) => Some(bytes.iter().fold(0u128, |acc, &b| (acc << 8) | u128::from(b))),
    }
}

/// A non-negative token amount that fits 256 bits.
fn to_u256(amount: &TokenAmount) -> Option<U256> {
    let (sign, bytes) = amount.atto().to_bytes_be();
    (sign != Sign::Minus && bytes.len() <= 32).then(|| U256::from_be_slice(&bytes))
}

/// A non-negative token amount that fits 128 bits.
fn to_u128(amount: &TokenAmount) -> Option<u128> {
    u128::try_from(amount.atto()).ok()
}
