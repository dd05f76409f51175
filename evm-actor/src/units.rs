//! FIL amounts in the EVM's units: attoFIL are wei, one for one, as 256-bit words.
//!
//! The one conversion between `TokenAmount` and `U256` for every layer above the VM (the EVM
//! actor's `BALANCE`, `CALLVALUE` and `GASPRICE`, the node building messages, the gateway's
//! balances and fees), so that they cannot disagree on an edge. A `TokenAmount` is an unbounded
//! signed integer; neither edge can hold a real balance (total supply is 2·10²⁷ attoFIL), but
//! both are defined: a negative amount reads as 0 and one beyond 2²⁵⁶ − 1 saturates at
//! `U256::MAX` (and beyond `u128::MAX`, at `u128::MAX` for fee fields).

use alloy_primitives::U256;
use fvm_shared::bigint::{BigInt, Sign};
use fvm_shared::econ::TokenAmount;

/// attoFIL as wei: negatives read as 0, amounts past 2²⁵⁶ − 1 saturate.
pub fn token_to_u256(amount: &TokenAmount) -> U256 {
    let (sign, bytes) = amount.atto().to_bytes_be();
    if sign == Sign::Minus {
        return U256::ZERO;
    }
    U256::try_from_be_slice(&bytes).unwrap_or(U256::MAX)
}

/// attoFIL as a `u128` quantity (fee fields), saturating like [`token_to_u256`].
pub fn token_to_u128(amount: &TokenAmount) -> u128 {
    u128::try_from(token_to_u256(amount)).unwrap_or(u128::MAX)
}

/// Wei as attoFIL.
pub fn u256_to_token(value: U256) -> TokenAmount {
    TokenAmount::from_atto(BigInt::from_bytes_be(Sign::Plus, &value.to_be_bytes::<32>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_edges() {
        for value in [U256::ZERO, U256::from(1u8), U256::from(10u128.pow(27)), U256::MAX] {
            assert_eq!(token_to_u256(&u256_to_token(value)), value);
        }
        assert_eq!(token_to_u256(&TokenAmount::from_atto(-5)), U256::ZERO);
        let too_big = TokenAmount::from_atto(BigInt::from(2u8).pow(256u32));
        assert_eq!(token_to_u256(&too_big), U256::MAX);
        assert_eq!(token_to_u128(&too_big), u128::MAX);
        assert_eq!(
            token_to_u128(&u256_to_token(U256::from(u128::MAX) + U256::from(1u8))),
            u128::MAX
        );
        assert_eq!(token_to_u128(&TokenAmount::from_atto(7)), 7);
    }
}
