//! Ethereum transaction or call → Filecoin message, exactly as FIP-0055/FIP-0091 (and Lotus)
//! define it. Every Ethereum-shaped message is built by [`EthMessage::to_message`]: signed
//! transactions (both directions of the conversion and the verifier go through
//! [`build_message`], so "decode, then rebuild" and "rebuild, then compare" cannot drift apart)
//! and the gateway's `eth_call` and `eth_estimateGas`, so a call runs the message its
//! transaction would.

use address_mapping::{EAM_NAMESPACE, eth_to_filecoin, masked_id};
use alloy_consensus::{Signed, TxEip1559, TxEnvelope, TxLegacy};
use alloy_primitives::{Address as EthAddress, Signature, TxKind, U256};
use evm_actor::methods::{EAM_CREATE_EXTERNAL_METHOD, INVOKE_CONTRACT_METHOD};
use evm_actor::units::u256_to_token;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

use super::params::encode_params;
use super::{EIP155_SIGNATURE_PREFIX, EthTxKind, HOMESTEAD_SIGNATURE_PREFIX, TxError};
use crate::message::{SigType, Signature as FilSignature, SignedMessage};

/// The largest gas limit a Filecoin message carries (Lotus encodes it as a signed 64-bit int).
const MAX_GAS_LIMIT: u64 = i64::MAX as u64;

/// What an Ethereum transaction or call says, in the Filecoin view, before any signature.
#[derive(Clone, Debug)]
pub struct EthMessage<'a> {
    /// The sender: the f410 address of a signer, or (for calls) any Filecoin address.
    pub from: Address,
    /// The recipient, or a deployment.
    pub to: TxKind,
    /// Calldata or initcode.
    pub input: &'a [u8],
    /// Value in wei (attoFIL).
    pub value: U256,
    /// The sender's nonce.
    pub nonce: u64,
    /// The gas limit.
    pub gas_limit: u64,
    /// `maxFeePerGas` (or `gasPrice`), attoFIL.
    pub fee_cap: u128,
    /// `maxPriorityFeePerGas` (or `gasPrice`), attoFIL.
    pub premium: u128,
}

impl EthMessage<'_> {
    /// The Filecoin message: a deployment goes to the EAM's `CreateExternal`, anything else is
    /// an `InvokeContract` on the mapped recipient (f410, or f0 for a masked ID), with the input
    /// as one CBOR byte string. The EAM itself cannot be a recipient, and the gas limit must fit
    /// Lotus's signed 64-bit field.
    pub fn to_message(&self) -> Result<Message, TxError> {
        if self.gas_limit > MAX_GAS_LIMIT {
            return Err(TxError::GasLimitOutOfRange(self.gas_limit));
        }
        let (to, method_num) = recipient(self.to)?;
        Ok(Message {
            version: 0,
            from: self.from,
            to,
            sequence: self.nonce,
            value: u256_to_token(self.value),
            method_num,
            params: RawBytes::new(encode_params(self.input)),
            gas_limit: self.gas_limit,
            gas_fee_cap: TokenAmount::from_atto(self.fee_cap),
            gas_premium: TokenAmount::from_atto(self.premium),
        })
    }
}

/// Checks the FEVM's rules for `envelope` (accepted type, chain id, empty access list) and
/// says which of the three accepted kinds it is.
pub(super) fn classify(envelope: &TxEnvelope, chain_id: u64) -> Result<EthTxKind, TxError> {
    match envelope {
        TxEnvelope::Eip1559(signed) => {
            let tx = signed.tx();
            if tx.chain_id != chain_id {
                return Err(TxError::WrongChainId { expected: chain_id, got: tx.chain_id });
            }
            if !tx.access_list.is_empty() {
                return Err(TxError::NonEmptyAccessList(tx.access_list.len()));
            }
            Ok(EthTxKind::Eip1559)
        }
        TxEnvelope::Legacy(signed) => match signed.tx().chain_id {
            None => Ok(EthTxKind::Homestead),
            Some(got) if got == chain_id => Ok(EthTxKind::Eip155),
            Some(got) => Err(TxError::WrongChainId { expected: chain_id, got }),
        },
        TxEnvelope::Eip2930(_) => Err(TxError::Eip2930NotSupported),
        TxEnvelope::Eip4844(_) => Err(TxError::BlobNotSupported),
        TxEnvelope::Eip7702(_) => Err(TxError::Eip7702NotSupported),
    }
}

/// The Filecoin message for a signed transaction sent by `from` (an f410 address), with its
/// delegated signature.
pub(super) fn build_message(
    envelope: &TxEnvelope,
    from: Address,
    chain_id: u64,
) -> Result<(EthTxKind, SignedMessage), TxError> {
    let kind = classify(envelope, chain_id)?;
    let (fields, signature) = match envelope {
        TxEnvelope::Eip1559(signed) => (eip1559_fields(signed.tx(), from), signed.signature()),
        TxEnvelope::Legacy(signed) => (legacy_fields(signed.tx(), from), signed.signature()),
        // `classify` accepted only the two types above.
        other => return Err(TxError::UnsupportedType(alloy_eips::Typed2718::ty(other))),
    };
    let message = fields.to_message()?;
    let bytes = signature_bytes(kind, signature, chain_id);
    Ok((kind, SignedMessage::new(message, FilSignature::new(SigType::Delegated, bytes))))
}

/// The f410 address of an Ethereum account (never f0: a signer is never a masked ID).
pub(super) fn f410_of(sender: EthAddress) -> Result<Address, TxError> {
    Address::new_delegated(EAM_NAMESPACE, sender.as_slice())
        .map_err(|_| TxError::InvalidSender(sender))
}

fn eip1559_fields(tx: &TxEip1559, from: Address) -> EthMessage<'_> {
    EthMessage {
        from,
        nonce: tx.nonce,
        gas_limit: tx.gas_limit,
        fee_cap: tx.max_fee_per_gas,
        premium: tx.max_priority_fee_per_gas,
        to: tx.to,
        value: tx.value,
        input: tx.input.as_ref(),
    }
}

fn legacy_fields(tx: &TxLegacy, from: Address) -> EthMessage<'_> {
    EthMessage {
        from,
        nonce: tx.nonce,
        gas_limit: tx.gas_limit,
        fee_cap: tx.gas_price,
        premium: tx.gas_price,
        to: tx.to,
        value: tx.value,
        input: tx.input.as_ref(),
    }
}

/// Recipient and method: a deployment goes to the EAM's `CreateExternal`, anything else is an
/// `InvokeContract` on the mapped address.
fn recipient(to: TxKind) -> Result<(Address, u64), TxError> {
    match to {
        TxKind::Create => Ok((Address::new_id(EAM_NAMESPACE), EAM_CREATE_EXTERNAL_METHOD)),
        TxKind::Call(address) => {
            // f010 with InvokeContract would not convert back (the EAM only takes
            // CreateExternal from Ethereum accounts), so Lotus could never authenticate it.
            if masked_id(&address) == Some(EAM_NAMESPACE) {
                return Err(TxError::InvalidRecipient(
                    "the EAM (f010) cannot be called; deploy with an empty `to`".into(),
                ));
            }
            let to =
                eth_to_filecoin(&address).map_err(|e| TxError::InvalidRecipient(e.to_string()))?;
            Ok((to, INVOKE_CONTRACT_METHOD))
        }
    }
}

/// The delegated signature layout of each kind (FIP-0055, FIP-0091).
fn signature_bytes(kind: EthTxKind, signature: &Signature, chain_id: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(72);
    let parity = signature.v();
    match kind {
        EthTxKind::Eip1559 => {}
        EthTxKind::Homestead => out.push(HOMESTEAD_SIGNATURE_PREFIX),
        EthTxKind::Eip155 => out.push(EIP155_SIGNATURE_PREFIX),
    }
    out.extend_from_slice(&signature.r().to_be_bytes::<32>());
    out.extend_from_slice(&signature.s().to_be_bytes::<32>());
    match kind {
        EthTxKind::Eip1559 => out.push(u8::from(parity)),
        EthTxKind::Homestead => out.push(27 + u8::from(parity)),
        EthTxKind::Eip155 => out.extend_from_slice(&minimal_be(eip155_v(chain_id, parity))),
    }
    out
}

/// `v` of an EIP-155 signature: chainId·2 + 35 + parity.
pub(super) fn eip155_v(chain_id: u64, parity: bool) -> u128 {
    u128::from(chain_id) * 2 + 35 + u128::from(parity)
}

/// Big-endian bytes without leading zeros.
pub(super) fn minimal_be(value: u128) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.iter().skip(skip).copied().collect()
}

/// Wraps a transaction and its signature in an envelope.
pub(super) fn envelope_1559(tx: TxEip1559, signature: Signature) -> TxEnvelope {
    TxEnvelope::Eip1559(Signed::new_unhashed(tx, signature))
}

/// Wraps a legacy transaction and its signature in an envelope.
pub(super) fn envelope_legacy(tx: TxLegacy, signature: Signature) -> TxEnvelope {
    TxEnvelope::Legacy(Signed::new_unhashed(tx, signature))
}
