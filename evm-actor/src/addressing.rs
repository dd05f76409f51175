//! Ethereum addresses as the EVM actor sees them: conversion to Filecoin addresses, resolution to
//! actors, and what kind of thing an address is (FEVM.md §3.4–§3.5).

use address_mapping::{EthAddress, is_reserved_precompile, masked_id, masked_id_address};
use filecoin_vm::{ActorError, BuiltinType, Runtime};
use fvm_shared::ActorID;
use fvm_shared::address::{Address, Payload};

/// Where a CALL or EXTCODE* lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContractType {
    /// An EVM contract.
    Evm(ActorID),
    /// An Account, EthAccount or Placeholder.
    Account,
    /// Any other built-in actor (miner, multisig, init…).
    Native,
    /// An assigned precompile.
    Precompile,
    /// Nothing there.
    Missing,
}

/// The Filecoin address a 20-byte EVM address names: a masked ID is `f0<id>`, anything else
/// (including 0x0 and precompile addresses) is `f410f…`.
pub fn to_filecoin(address: &EthAddress) -> Address {
    match masked_id(address) {
        Some(id) => Address::new_id(id),
        // A 20-byte subaddress always fits in an f4 address, so the fallback is never taken.
        None => address_mapping::eth_to_filecoin(address).unwrap_or(Address::new_id(0)),
    }
}

/// The Ethereum form of an actor: its f410 subaddress, or its masked ID.
pub fn eth_address_of(rt: &mut dyn Runtime, id: ActorID) -> Result<EthAddress, ActorError> {
    Ok(match rt.lookup_delegated_address(id)? {
        Some(addr) => match addr.payload() {
            Payload::Delegated(d)
                if d.namespace() == address_mapping::EAM_ACTOR_ID && d.subaddress().len() == 20 =>
            {
                EthAddress::from_slice(d.subaddress())
            }
            _ => masked_id_address(id),
        },
        None => masked_id_address(id),
    })
}

/// The actor an Ethereum address names, if it exists.
pub fn resolve_eth(
    rt: &mut dyn Runtime,
    address: &EthAddress,
) -> Result<Option<ActorID>, ActorError> {
    rt.resolve_address(&to_filecoin(address))
}

/// Whether the address is an assigned precompile (calls to it never become sends).
pub fn is_precompile(address: &EthAddress) -> bool {
    is_reserved_precompile(address)
}

/// What kind of thing `address` is.
pub fn contract_type(
    rt: &mut dyn Runtime,
    address: &EthAddress,
) -> Result<ContractType, ActorError> {
    if crate::precompiles::is_assigned(address) {
        return Ok(ContractType::Precompile);
    }
    let Some(id) = resolve_eth(rt, address)? else { return Ok(ContractType::Missing) };
    let Some(code) = rt.actor_code(id)? else { return Ok(ContractType::Missing) };
    Ok(match rt.builtin_type(&code) {
        Some(BuiltinType::Evm) => ContractType::Evm(id),
        Some(BuiltinType::Account | BuiltinType::EthAccount | BuiltinType::Placeholder) => {
            ContractType::Account
        }
        _ => ContractType::Native,
    })
}
