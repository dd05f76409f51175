//! The Ethereum Address Manager (f010): assigns f410 addresses to new contracts and deploys them
//! through init's `Exec4` (FEVM.md §1.6).

use alloy_primitives::{Address, keccak256};
use alloy_rlp::Encodable;
use filecoin_vm::builtin::{EXEC4_METHOD, Exec4Params, ExecReturn};
use filecoin_vm::{Actor, ActorError, ActorResult, BuiltinType, INIT_ACTOR_ID, Runtime};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{CBOR, RawBytes};
use fvm_shared::address::Address as FilAddress;
use fvm_shared::sys::SendFlags;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

use crate::addressing::{ContractType, contract_type, eth_address_of};
use crate::methods::*;

/// The last 20 bytes of keccak256.
fn hash20(data: &[u8]) -> Address {
    Address::from_slice(&keccak256(data)[12..])
}

/// CREATE's address: `hash20(rlp([creator, nonce]))`.
pub fn compute_create_address(creator: &Address, nonce: u64) -> Address {
    let payload_length = creator.length() + nonce.length();
    let mut out = Vec::with_capacity(payload_length + 1);
    alloy_rlp::Header { list: true, payload_length }.encode(&mut out);
    creator.encode(&mut out);
    nonce.encode(&mut out);
    hash20(&out)
}

/// CREATE2's address: `hash20(0xff ‖ creator ‖ salt ‖ keccak256(initcode))`.
pub fn compute_create2_address(creator: &Address, salt: &[u8; 32], initcode: &[u8]) -> Address {
    let mut data = Vec::with_capacity(1 + 20 + 32 + 32);
    data.push(0xff);
    data.extend_from_slice(creator.as_slice());
    data.extend_from_slice(salt);
    data.extend_from_slice(keccak256(initcode).as_slice());
    hash20(&data)
}

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct EamActor;

impl Actor for EamActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        params: Option<IpldBlock>,
    ) -> ActorResult {
        match method {
            METHOD_CONSTRUCTOR => {
                if rt.message().caller != filecoin_vm::SYSTEM_ACTOR_ID
                    || rt.message().receiver != EAM_ACTOR_ID
                {
                    return Err(ActorError::forbidden(
                        "the EAM is constructed by the system at f010",
                    ));
                }
                Ok(None)
            }
            EAM_CREATE_METHOD => {
                let creator = evm_caller(rt)?;
                let params: EamCreateParams = decode_params(params)?;
                let address = compute_create_address(&creator, params.nonce);
                create_actor(rt, creator, address, params.initcode)
            }
            EAM_CREATE2_METHOD => {
                let creator = evm_caller(rt)?;
                let params: EamCreate2Params = decode_params(params)?;
                let address =
                    compute_create2_address(&creator, &params.salt, params.initcode.bytes());
                create_actor(rt, creator, address, params.initcode)
            }
            EAM_CREATE_EXTERNAL_METHOD => {
                let initcode: RawBytes = decode_params(params)?;
                let (stable, creator) = external_creator(rt)?;
                let address = compute_create_address(&stable, rt.message().origin_nonce);
                create_actor(rt, creator, address, initcode)
            }
            m => Err(ActorError::unhandled_method(m)),
        }
    }
}

/// Create/Create2 come from EVM contracts, which always have an f410 address.
fn evm_caller(rt: &mut dyn Runtime) -> Result<Address, ActorError> {
    let caller = rt.message().caller;
    let code = rt.actor_code(caller)?;
    if code.and_then(|c| rt.builtin_type(&c)) != Some(BuiltinType::Evm) {
        return Err(ActorError::forbidden("Create and Create2 are for EVM contracts"));
    }
    let address = eth_address_of(rt, caller)?;
    if address_mapping::is_masked_id(&address) {
        return Err(ActorError::forbidden("the creating contract has no f410 address"));
    }
    Ok(address)
}

/// CreateExternal: the origin itself, an EthAccount (its f410 address is both the stable address
/// and the creator) or an Account (stable address `hash20(key address)`, creator its masked ID).
fn external_creator(rt: &mut dyn Runtime) -> Result<(Address, Address), ActorError> {
    let m = rt.message().clone();
    if m.caller != m.origin {
        return Err(ActorError::forbidden("CreateExternal must be called by the message origin"));
    }
    let code = rt.actor_code(m.caller)?;
    match code.and_then(|c| rt.builtin_type(&c)) {
        Some(BuiltinType::EthAccount) => {
            let address = eth_address_of(rt, m.caller)?;
            Ok((address, address))
        }
        Some(BuiltinType::Account) => {
            let outcome = rt.send(
                &FilAddress::new_id(m.caller),
                filecoin_vm::builtin::PUBKEY_ADDRESS_METHOD,
                None,
                Default::default(),
                None,
                SendFlags::READ_ONLY,
            )?;
            let key: FilAddress = match outcome {
                Ok(o) if o.exit_code.is_success() => decode_params(o.return_data)?,
                other => {
                    return Err(ActorError::illegal_state(format!(
                        "PubkeyAddress failed: {other:?}"
                    )));
                }
            };
            Ok((hash20(&key.to_bytes()), address_mapping::masked_id_address(m.caller)))
        }
        _ => Err(ActorError::forbidden("CreateExternal is for accounts")),
    }
}

/// Deploys at `address`: over a placeholder (Exec4 replaces it), by resurrecting a dead
/// contract, or fresh; anything else there is a collision.
fn create_actor(
    rt: &mut dyn Runtime,
    creator: Address,
    address: Address,
    initcode: RawBytes,
) -> ActorResult {
    if !address_mapping::can_assign_address(&address) {
        return Err(ActorError::forbidden(format!("cannot deploy to reserved address {address}")));
    }
    let ctor = ConstructorParams { creator: creator.into_array(), initcode };
    let value = rt.message().value_received.clone();
    let existing = contract_type(rt, &address)?;
    if let ContractType::Evm(id) = existing {
        let params = IpldBlock::serialize_cbor(&ctor)?;
        let outcome = rt.send(
            &FilAddress::new_id(id),
            RESURRECT_METHOD,
            params,
            value,
            None,
            SendFlags::empty(),
        )?;
        expect_success(outcome)?;
        let ret =
            EamReturn { actor_id: id, robust_address: None, eth_address: address.into_array() };
        return Ok(IpldBlock::serialize(CBOR, &ret).ok());
    }
    let replaceable = match existing {
        ContractType::Missing => true,
        ContractType::Account => {
            let id = crate::addressing::resolve_eth(rt, &address)?;
            let code = match id {
                Some(id) => rt.actor_code(id)?,
                None => None,
            };
            code.and_then(|c| rt.builtin_type(&c)) == Some(BuiltinType::Placeholder)
        }
        _ => false,
    };
    if !replaceable {
        return Err(ActorError::forbidden(format!(
            "cannot deploy contract over existing actor at {address}"
        )));
    }
    let exec = Exec4Params {
        code_cid: rt.builtin_code(BuiltinType::Evm),
        constructor_params: RawBytes::serialize(&ctor)?,
        subaddress: RawBytes::new(address.to_vec()),
    };
    let params = IpldBlock::serialize_cbor(&exec)?;
    let outcome = rt.send(
        &FilAddress::new_id(INIT_ACTOR_ID),
        EXEC4_METHOD,
        params,
        value,
        None,
        SendFlags::empty(),
    )?;
    let block = expect_success(outcome)?;
    let ret: ExecReturn = decode_params(block)?;
    let actor_id = ret.id_address.id().map_err(|e| ActorError::illegal_state(e.to_string()))?;
    let ret = EamReturn {
        actor_id,
        robust_address: Some(ret.robust_address),
        eth_address: address.into_array(),
    };
    Ok(IpldBlock::serialize(CBOR, &ret).ok())
}

/// A failed deployment fails the EAM call with the same exit code and data (revert data reaches
/// the CREATE caller).
fn expect_success(
    outcome: Result<filecoin_vm::SendOutcome, fvm_shared::error::ErrorNumber>,
) -> Result<Option<IpldBlock>, ActorError> {
    match outcome {
        Ok(o) if o.exit_code.is_success() => Ok(o.return_data),
        Ok(o) => Err(ActorError::with_data(o.exit_code, o.return_data, "deployment failed")),
        Err(errno) => Err(ActorError::new(
            match errno {
                fvm_shared::error::ErrorNumber::InsufficientFunds => {
                    fvm_shared::error::ExitCode::USR_INSUFFICIENT_FUNDS
                }
                _ => fvm_shared::error::ExitCode::USR_ASSERTION_FAILED,
            },
            format!("deployment send failed: {errno:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::address;

    use super::*;

    #[test]
    fn address_vectors_of_builtin_actors() {
        assert_eq!(
            compute_create_address(&Address::ZERO, 0),
            address!("bd770416a3345f91e4b34576cb804a576fa48eb1")
        );
        assert_eq!(
            compute_create_address(&Address::ZERO, 200),
            address!("a6b14387c1356b443061155e9c3e17f72c1777e5")
        );
        assert_eq!(
            compute_create_address(&Address::repeat_byte(0x7b), 12345),
            address!("809a9ab0471e78ee5100e96ca4d0828d1b97e2ba")
        );
        assert_eq!(
            compute_create2_address(&Address::ZERO, &[0; 32], b""),
            address!("e33c0c7f7df4809055c3eba6c09cfe4baf1bd9e0")
        );
        assert_eq!(
            compute_create2_address(&Address::repeat_byte(0x99), &[0x42; 32], b"foobar"),
            address!("64425c93a90901271fa355c2bc462190803b97d4")
        );
    }
}
