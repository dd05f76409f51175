//! Geth's state overrides (third `eth_call`/`eth_estimateGas` parameter) and block overrides
//! (fourth `eth_call` parameter), translated into the node's [`CallOverrides`].
//!
//! Addresses map as everywhere in the gateway: a masked ID (`0xff00…`) is that f0 actor, any
//! other 0x address its f410. What each override does to an actor is the node's business
//! (`chain::overrides`); here only what cannot mean anything on Filecoin is refused, with
//! −32602:
//! - `state` and `stateDiff` together (Geth refuses it too);
//! - `movePrecompileToAddress`: FEVM precompiles are not accounts that can move;
//! - block `coinbase`, `prevRandao`, `difficulty`, `gasLimit`, `blobBaseFee` and `beaconRoot`:
//!   FEVM's COINBASE is always zero, PREVRANDAO comes from the beacon, the block gas limit is
//!   fixed, and there are no blobs.
//!
//! `number` (the epoch), `time` and `baseFee` are applied.

use alloy_primitives::{B256, U256};
use alloy_rpc_types_eth::BlockOverrides;
use alloy_rpc_types_eth::state::{AccountOverride as EthAccountOverride, StateOverride};
use chain::{AccountOverride, BlockOverride, CallOverrides, StorageOverride};

use crate::error::{RpcError, RpcResult};
use crate::params::to_filecoin;
use evm_actor::units::u256_to_token;

/// The node's overrides for the optional state and block override parameters.
pub(super) fn call_overrides(
    state: Option<StateOverride>,
    block: Option<BlockOverrides>,
) -> RpcResult<CallOverrides> {
    let mut overrides = CallOverrides::NONE;
    for (address, change) in state.unwrap_or_default() {
        overrides.accounts.push((to_filecoin(address)?, account_override(address, change)?));
    }
    if let Some(block) = block {
        overrides.block = block_override(block)?;
    }
    Ok(overrides)
}

fn account_override(
    address: alloy_primitives::Address,
    change: EthAccountOverride,
) -> RpcResult<AccountOverride> {
    if change.move_precompile_to.is_some() {
        return Err(RpcError::InvalidParams(format!(
            "account {address}: movePrecompileToAddress is not supported (FEVM precompiles \
             cannot move)"
        )));
    }
    let storage = match (change.state, change.state_diff) {
        (Some(_), Some(_)) => {
            return Err(RpcError::InvalidParams(format!(
                "account {address} has both 'state' and 'stateDiff'"
            )));
        }
        (Some(state), None) => Some(StorageOverride::Replace(slots(state))),
        (None, Some(diff)) => Some(StorageOverride::Patch(slots(diff))),
        (None, None) => None,
    };
    Ok(AccountOverride {
        balance: change.balance.map(u256_to_token),
        nonce: change.nonce,
        code: change.code.map(|code| code.to_vec()),
        storage,
    })
}

fn slots(map: impl IntoIterator<Item = (B256, B256)>) -> Vec<(U256, U256)> {
    let mut slots: Vec<_> = map.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    // Hash-map order is random; a sorted list makes the call deterministic.
    slots.sort_unstable();
    slots
}

fn block_override(block: BlockOverrides) -> RpcResult<BlockOverride> {
    let unsupported = [
        ("coinbase", block.coinbase.is_some()),
        ("prevRandao", block.random.is_some()),
        ("difficulty", block.difficulty.is_some()),
        ("gasLimit", block.gas_limit.is_some()),
        ("blobBaseFee", block.blob_base_fee.is_some()),
        ("beaconRoot", block.beacon_root.is_some()),
        ("blockHash", block.block_hash.as_ref().is_some_and(|h| !h.is_empty())),
    ];
    if let Some((name, _)) = unsupported.iter().find(|(_, set)| *set) {
        return Err(RpcError::InvalidParams(format!(
            "block override {name} is not supported: only number, time and baseFee mean \
             something on FEVM"
        )));
    }
    let epoch = block
        .number
        .map(|n| {
            i64::try_from(n).map_err(|_| {
                RpcError::InvalidParams(format!("block number override {n} is too large"))
            })
        })
        .transpose()?;
    Ok(BlockOverride { epoch, timestamp: block.time, base_fee: block.base_fee.map(u256_to_token) })
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, address};

    use super::*;

    fn parse(json: &str) -> StateOverride {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn state_overrides_map_addresses_and_storage() {
        let state = parse(
            r#"{"0x1111111111111111111111111111111111111111": {
                "balance": "0x10", "nonce": "0x2", "code": "0x6000",
                "stateDiff": {"0x0000000000000000000000000000000000000000000000000000000000000002": "0x0000000000000000000000000000000000000000000000000000000000000005", "0x0000000000000000000000000000000000000000000000000000000000000001": "0x0000000000000000000000000000000000000000000000000000000000000007"}},
               "0xff00000000000000000000000000000000000005": {"balance": "0x1"}}"#,
        );
        let overrides = call_overrides(Some(state), None).unwrap();
        assert_eq!(overrides.accounts.len(), 2);
        let (f410, change) = overrides
            .accounts
            .iter()
            .find(|(a, _)| a.protocol() == fvm_shared::address::Protocol::Delegated)
            .unwrap();
        assert_eq!(
            *f410,
            to_filecoin(address!("1111111111111111111111111111111111111111")).unwrap()
        );
        assert_eq!(change.balance, Some(fvm_shared::econ::TokenAmount::from_atto(16)));
        assert_eq!(change.nonce, Some(2));
        assert_eq!(change.code.as_deref(), Some(&[0x60, 0x00][..]));
        let one = U256::from(1u64);
        let two = U256::from(2u64);
        assert_eq!(
            change.storage,
            Some(StorageOverride::Patch(vec![(one, U256::from(7u64)), (two, U256::from(5u64))]))
        );
        assert!(
            overrides.accounts.iter().any(|(a, _)| *a == fvm_shared::address::Address::new_id(5))
        );
    }

    #[test]
    fn meaningless_overrides_are_refused() {
        let both = parse(
            r#"{"0x1111111111111111111111111111111111111111": {"state": {}, "stateDiff": {}}}"#,
        );
        let err = call_overrides(Some(both), None).unwrap_err();
        assert!(err.to_string().contains("both 'state' and 'stateDiff'"), "{err}");

        let mut moved = StateOverride::default();
        moved.insert(
            Address::repeat_byte(1),
            EthAccountOverride {
                move_precompile_to: Some(Address::repeat_byte(2)),
                ..Default::default()
            },
        );
        assert!(call_overrides(Some(moved), None).is_err());

        let coinbase =
            BlockOverrides { coinbase: Some(Address::repeat_byte(3)), ..Default::default() };
        let err = call_overrides(None, Some(coinbase)).unwrap_err();
        assert!(err.to_string().contains("coinbase"), "{err}");
    }

    #[test]
    fn block_overrides_keep_number_time_and_base_fee() {
        let block: BlockOverrides =
            serde_json::from_str(r#"{"number": "0x64", "time": "0x10", "baseFeePerGas": "0x7"}"#)
                .unwrap();
        let overrides = call_overrides(None, Some(block)).unwrap();
        assert_eq!(overrides.block.epoch, Some(100));
        assert_eq!(overrides.block.timestamp, Some(16));
        assert_eq!(overrides.block.base_fee, Some(fvm_shared::econ::TokenAmount::from_atto(7)));
    }
}
