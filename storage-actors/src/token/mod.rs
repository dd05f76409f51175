//! FRC-46 fungible tokens: balances, allowances and the receiver hook, written once for the
//! datacap actor (and any other token actor) with the network's encoding and exit codes.
//!
//! The behaviour is that of the FRC-46 library builtin-actors links (`frc46_token` in
//! filecoin-project/actors-utils):
//! - [`state`]: the stored [`TokenState`] and the bookkeeping that keeps it consistent;
//! - [`operations`]: [`Token`], the FRC-46 operations (mint, burn, transfers, allowances) with
//!   their argument rules and address resolution;
//! - [`hook`]: the recipient's `Receive` hook that mint and transfers owe, as a
//!   [`PendingHook`] the actor calls after saving its state;
//! - [`types`]: parameters, returns and the hook payload.
//!
//! Exit codes: a negative amount, an amount off the granularity or an operator acting on its
//! own balance is `USR_ILLEGAL_ARGUMENT`; too small a balance or allowance is
//! `USR_INSUFFICIENT_FUNDS`; an address that cannot be resolved where a party must exist is
//! `USR_NOT_FOUND`; a failing hook passes the recipient's exit code up.

pub mod hook;
pub mod operations;
pub mod state;
pub mod types;

use fvm_shared::MethodNum;

pub use hook::PendingHook;
pub use operations::{NewAccounts, Token, validate_amount};
pub use state::{DEFAULT_HAMT_BIT_WIDTH, TokenState};
pub use types::*;

/// `Receive`, the universal receiver hook (FRC-42 number of "Receive").
pub const RECEIVER_HOOK_METHOD: MethodNum = 3_726_118_371;

/// The asset type an FRC-46 token announces in the receiver hook (FRC-42 number of "FRC46").
pub const FRC46_TOKEN_TYPE: u32 = 2_233_613_279;

/// Token units per whole token: FRC-46 amounts have 18 decimals.
pub const TOKEN_PRECISION: u64 = 1_000_000_000_000_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plumbing::method_hash;

    #[test]
    fn hook_numbers_are_frc42_hashes() {
        assert_eq!(RECEIVER_HOOK_METHOD, method_hash("Receive"));
        assert_eq!(u64::from(FRC46_TOKEN_TYPE), method_hash("FRC46"));
    }
}
