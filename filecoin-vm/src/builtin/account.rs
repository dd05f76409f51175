//! The account actor: the on-chain identity of an f1 (secp256k1) or f3 (BLS) key.

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{CBOR, CborStore, strict_bytes};
use fvm_shared::address::{Address, Protocol};
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};
use multihash_codetable::Code;

use super::{FIRST_EXPORTED_METHOD_NUMBER, require_system_caller, restrict_internal_api};
use crate::actor::{Actor, ActorError, ActorResult};
use crate::crypto::Signature;
use crate::runtime::Runtime;

/// `PubkeyAddress`: returns the key address.
pub const PUBKEY_ADDRESS_METHOD: MethodNum = 2;
/// `AuthenticateMessage` (FRC-42).
pub const AUTHENTICATE_MESSAGE_METHOD: MethodNum = 2_643_134_072;

/// State: the key address this account belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AccountState {
    /// The f1/f3 address.
    pub address: Address,
}

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct AccountActor;

impl Actor for AccountActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        params: Option<IpldBlock>,
    ) -> ActorResult {
        match method {
            METHOD_CONSTRUCTOR => {
                require_system_caller(rt)?;
                let params =
                    params.ok_or_else(|| ActorError::illegal_argument("missing address"))?;
                let address: Address = params.deserialize()?;
                if !matches!(address.protocol(), Protocol::Secp256k1 | Protocol::BLS) {
                    return Err(ActorError::illegal_argument(format!(
                        "address {address} must be a secp256k1 or BLS key address"
                    )));
                }
                let head = rt
                    .store()
                    .put_cbor(&AccountState { address }, Code::Blake2b256)
                    .map_err(|e| ActorError::illegal_state(e.to_string()))?;
                rt.set_state_root(&head)?;
                Ok(None)
            }
            PUBKEY_ADDRESS_METHOD => {
                restrict_internal_api(rt, method)?;
                let state = load_state(rt)?;
                Ok(IpldBlock::serialize(CBOR, &state.address).ok())
            }
            AUTHENTICATE_MESSAGE_METHOD => {
                let params: AuthenticateMessageParams = params
                    .ok_or_else(|| {
                        ActorError::illegal_argument("missing AuthenticateMessage params")
                    })?
                    .deserialize()?;
                authenticate_message(rt, params)
            }
            m if m >= FIRST_EXPORTED_METHOD_NUMBER => Ok(None),
            m => Err(ActorError::unhandled_method(m)),
        }
    }
}

/// Parameters of `AuthenticateMessage` (FRC-42, FIP-0044): raw signature bytes (no type byte:
/// the account's own address says which scheme) and the signed message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AuthenticateMessageParams {
    /// The signature, without its type byte.
    #[serde(with = "strict_bytes")]
    pub signature: Vec<u8>,
    /// The bytes that were signed.
    #[serde(with = "strict_bytes")]
    pub message: Vec<u8>,
}

/// FIP-0044: succeeds with `true` if the account's key signed `message`; a bad signature is
/// `USR_ILLEGAL_ARGUMENT`, never `false`, so a caller cannot mistake a refusal for an answer.
/// Market and payment channels call it read-only; anyone may.
fn authenticate_message(rt: &mut dyn Runtime, params: AuthenticateMessageParams) -> ActorResult {
    let address = load_state(rt)?.address;
    let signature = match address.protocol() {
        Protocol::Secp256k1 => Signature::new_secp256k1(params.signature),
        Protocol::BLS => Signature::new_bls(params.signature),
        other => {
            return Err(ActorError::illegal_state(format!(
                "account address must be a secp256k1 or BLS key, found protocol {other}"
            )));
        }
    };
    if !rt.verify_signature(&signature, &address, &params.message)? {
        return Err(ActorError::illegal_argument(format!(
            "invalid signature: {address} did not sign this message"
        )));
    }
    Ok(IpldBlock::serialize(CBOR, &true).ok())
}

fn load_state(rt: &mut dyn Runtime) -> Result<AccountState, ActorError> {
    let head = rt.state_root()?;
    rt.store()
        .get_cbor(&head)
        .map_err(|e| ActorError::illegal_state(e.to_string()))?
        .ok_or_else(|| ActorError::illegal_state("account state missing"))
}
