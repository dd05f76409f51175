//! Datacap's state, its own parameters (the rest are FRC-46's, in [`crate::token`]) and its
//! method numbers.

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::MethodNum;
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;

use crate::token::{DEFAULT_HAMT_BIT_WIDTH, TOKEN_PRECISION, TokenState};

/// `Mint` (governor only).
pub const MINT_METHOD: MethodNum = 116_935_346;
/// `Destroy` (governor only).
pub const DESTROY_METHOD: MethodNum = 2_624_896_501;
/// `Name`.
pub const NAME_METHOD: MethodNum = 48_890_204;
/// `Symbol`.
pub const SYMBOL_METHOD: MethodNum = 2_061_153_854;
/// `Granularity`.
pub const GRANULARITY_METHOD: MethodNum = 3_936_767_397;
/// `TotalSupply`.
pub const TOTAL_SUPPLY_METHOD: MethodNum = 114_981_429;
/// `Balance`.
pub const BALANCE_METHOD: MethodNum = 3_261_979_605;
/// `Transfer` (only to or from the governor).
pub const TRANSFER_METHOD: MethodNum = 80_475_954;
/// `TransferFrom` (only to the governor).
pub const TRANSFER_FROM_METHOD: MethodNum = 3_621_052_141;
/// `IncreaseAllowance`.
pub const INCREASE_ALLOWANCE_METHOD: MethodNum = 1_777_121_560;
/// `DecreaseAllowance`.
pub const DECREASE_ALLOWANCE_METHOD: MethodNum = 1_529_376_545;
/// `RevokeAllowance`.
pub const REVOKE_ALLOWANCE_METHOD: MethodNum = 2_765_635_761;
/// `Burn`.
pub const BURN_METHOD: MethodNum = 1_434_719_642;
/// `BurnFrom`.
pub const BURN_FROM_METHOD: MethodNum = 2_979_674_018;
/// `Allowance`.
pub const ALLOWANCE_METHOD: MethodNum = 4_205_072_950;

/// Datacap counts bytes of verified storage as whole tokens: one byte is 10^18 units, and no
/// fraction of a byte can be held or moved.
pub const DATACAP_GRANULARITY: u64 = TOKEN_PRECISION;

/// The token's name.
pub const NAME: &str = "DataCap";
/// The token's symbol.
pub const SYMBOL: &str = "DCAP";

/// The allowance `Mint` gives each listed operator: 10^21 whole tokens (over 800 EiB), which
/// no client's datacap approaches, so the operator (the market) never runs out.
pub fn infinite_allowance() -> TokenAmount {
    TokenAmount::from_atto(BigInt::from(TOKEN_PRECISION) * BigInt::from(10u128.pow(21)))
}

/// Datacap's state: `[governor, token]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DataCapState {
    /// The one actor that mints and destroys, and the only place transfers may go (or come
    /// from): the verified registry (f06) on every network. Compared with the caller's ID
    /// address, so it is stored as an ID address.
    pub governor: Address,
    /// The FRC-46 token.
    pub token: TokenState,
}

impl DataCapState {
    /// A datacap with no tokens, its empty HAMTs written to `store`.
    pub fn new<BS: Blockstore>(store: &BS, governor: Address) -> Result<Self, ActorError> {
        let token = TokenState::new(store, DEFAULT_HAMT_BIT_WIDTH).map_err(|e| {
            ActorError::illegal_state(format!("failed to create token state: {}", e.message()))
        })?;
        Ok(Self { governor, token })
    }
}

/// The state root of a fresh datacap governed by `governor`, for a genesis to install at f07
/// without running the constructor (the node's genesis uses the verified registry, f06).
pub fn genesis_state<BS: Blockstore>(store: &BS, governor: Address) -> anyhow::Result<Cid> {
    let state = DataCapState::new(store, governor).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    fvm_ipld_encoding::CborStore::put_cbor(store, &state, multihash_codetable::Code::Blake2b256)
}

/// What `Mint` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MintParams {
    /// The recipient (its Receive hook is called).
    pub to: Address,
    /// How much to create, in whole tokens (multiples of 10^18).
    pub amount: TokenAmount,
    /// Each gets an effectively infinite allowance over `to`'s datacap: how the market comes
    /// to pull a client's datacap when it publishes the client's verified deals.
    pub operators: Vec<Address>,
}

/// What `Destroy` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DestroyParams {
    /// The holder whose datacap is removed (no allowance needed).
    pub owner: Address,
    /// How much.
    pub amount: TokenAmount,
}
