//! The account actor: the on-chain identity of an f1 (secp256k1) or f3 (BLS) key.

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{CBOR, CborStore};
use fvm_shared::address::{Address, Protocol};
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};
use multihash_codetable::Code;

use super::{FIRST_EXPORTED_METHOD_NUMBER, require_system_caller, restrict_internal_api};
use crate::actor::{Actor, ActorError, ActorResult};
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
            AUTHENTICATE_MESSAGE_METHOD => Err(ActorError::illegal_argument(
                "AuthenticateMessage is not supported on this devnet (no signature verification \
                 inside the VM)",
            )),
            m if m >= FIRST_EXPORTED_METHOD_NUMBER => Ok(None),
            m => Err(ActorError::unhandled_method(m)),
        }
    }
}

fn load_state(rt: &mut dyn Runtime) -> Result<AccountState, ActorError> {
    let head = rt.state_root()?;
    rt.store()
        .get_cbor(&head)
        .map_err(|e| ActorError::illegal_state(e.to_string()))?
        .ok_or_else(|| ActorError::illegal_state("account state missing"))
}
