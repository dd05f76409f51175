//! Decoding Solidity revert data into a human-readable reason.
//!
//! A revert carries ABI-encoded bytes. Two shapes are standard:
//!
//! * `Error(string)` (selector `0x08c379a0`), from `require(cond, "reason")` and `revert("reason")`;
//! * `Panic(uint256)` (selector `0x4e487b71`), from failed `assert`s, checked arithmetic, bad array
//!   indices and the like.
//!
//! Anything else (custom errors, an empty revert, malformed bytes) has no generic reason; clients
//! decode custom errors themselves from the raw bytes, which the RPC error always carries as
//! `data`. Decoding never panics on malformed input.

use std::fmt;

use alloy_primitives::U256;
use alloy_sol_types::{Panic, Revert, SolError};

/// A decoded revert reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevertReason {
    /// `Error(string)`: the message passed to `require` or `revert`.
    Message(String),
    /// `Panic(uint256)`: a Solidity panic code.
    Panic(U256),
}

impl RevertReason {
    /// Decode revert bytes. Returns `None` for an empty revert, an empty reason string, a custom
    /// error, or bytes that are not valid ABI for either standard shape.
    pub fn decode(data: &[u8]) -> Option<Self> {
        if let Ok(revert) = Revert::abi_decode(data) {
            return (!revert.reason.is_empty()).then_some(Self::Message(revert.reason));
        }
        Panic::abi_decode(data).ok().map(|panic| Self::Panic(panic.code))
    }
}

impl fmt::Display for RevertReason {
    /// The reason as shown after `execution reverted: `: the message itself, or
    /// `panic: <meaning> (0x<code>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Message(message) => f.write_str(message),
            Self::Panic(code) => {
                let meaning = panic_meaning(*code).unwrap_or("unknown panic code");
                write!(f, "panic: {meaning} ({code:#04x})")
            }
        }
    }
}

/// The meaning of a Solidity panic code, per the Solidity documentation
/// ("Panic via assert and Error via require"), or `None` for a code Solidity does not define.
pub fn panic_meaning(code: U256) -> Option<&'static str> {
    let code: u64 = code.try_into().ok()?;
    Some(match code {
        0x00 => "generic compiler panic",
        0x01 => "assertion failed",
        0x11 => "arithmetic underflow or overflow",
        0x12 => "division or modulo by zero",
        0x21 => "invalid enum value",
        0x22 => "incorrectly encoded storage byte array",
        0x31 => "pop on empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory",
        0x51 => "call to zero-initialized function pointer",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use alloy_sol_types::{PanicKind, SolValue};

    use super::*;

    fn panic_bytes(kind: PanicKind) -> Vec<u8> {
        Panic::from(kind).abi_encode()
    }

    #[test]
    fn decodes_error_string() {
        let data = Revert::from("Ownable: caller is not the owner").abi_encode();
        let reason = RevertReason::decode(&data).expect("decodes");
        assert_eq!(reason, RevertReason::Message("Ownable: caller is not the owner".into()));
        assert_eq!(reason.to_string(), "Ownable: caller is not the owner");
    }

    #[test]
    fn empty_reason_string_is_no_reason() {
        assert_eq!(RevertReason::decode(&Revert::from("").abi_encode()), None);
    }

    #[test]
    fn decodes_every_documented_panic() {
        let cases = [
            (PanicKind::Generic, "panic: generic compiler panic (0x00)"),
            (PanicKind::Assert, "panic: assertion failed (0x01)"),
            (PanicKind::UnderOverflow, "panic: arithmetic underflow or overflow (0x11)"),
            (PanicKind::DivisionByZero, "panic: division or modulo by zero (0x12)"),
            (PanicKind::EnumConversionError, "panic: invalid enum value (0x21)"),
            (
                PanicKind::StorageEncodingError,
                "panic: incorrectly encoded storage byte array (0x22)",
            ),
            (PanicKind::EmptyArrayPop, "panic: pop on empty array (0x31)"),
            (PanicKind::ArrayOutOfBounds, "panic: array index out of bounds (0x32)"),
            (PanicKind::ResourceError, "panic: out of memory (0x41)"),
            (
                PanicKind::InvalidInternalFunction,
                "panic: call to zero-initialized function pointer (0x51)",
            ),
        ];
        for (kind, expected) in cases {
            let reason = RevertReason::decode(&panic_bytes(kind)).expect("decodes");
            assert_eq!(reason.to_string(), expected, "{kind:?}");
        }
    }

    #[test]
    fn unknown_panic_code_is_still_a_panic() {
        let data = Panic { code: U256::from(0x99) }.abi_encode();
        let reason = RevertReason::decode(&data).expect("decodes");
        assert_eq!(reason.to_string(), "panic: unknown panic code (0x99)");
        let huge = Panic { code: U256::MAX }.abi_encode();
        let reason = RevertReason::decode(&huge).expect("decodes");
        assert!(reason.to_string().starts_with("panic: unknown panic code (0xffff"));
    }

    #[test]
    fn empty_and_custom_errors_have_no_reason() {
        assert_eq!(RevertReason::decode(&[]), None);
        // A custom error `Unauthorized(address)`: some other selector and one word.
        let mut custom = vec![0x82, 0xb4, 0x29, 0x00];
        custom.extend_from_slice(&[0u8; 32]);
        assert_eq!(RevertReason::decode(&custom), None);
        // Shorter than a selector.
        assert_eq!(RevertReason::decode(&[0x08, 0xc3]), None);
    }

    #[test]
    fn malformed_abi_does_not_panic() {
        let message = "a reason long enough to span two words of ABI data";
        let good = Revert::from(message).abi_encode();
        // Truncated at every length: selector only, inside the offset, inside the length,
        // inside the string. Selector + offset + length = 68 bytes precede the string.
        let string_end = 68 + message.len();
        for len in 0..string_end {
            let reason = RevertReason::decode(&good[..len]);
            assert!(reason.is_none(), "truncated to {len} bytes decoded as {reason:?}");
        }
        // Missing zero padding after the string is tolerated (alloy decodes leniently).
        for len in string_end..good.len() {
            let reason = RevertReason::decode(&good[..len]);
            let expected = RevertReason::Message(message.into());
            assert!(reason.is_none() || reason == Some(expected), "{len}: {reason:?}");
        }
        // A string offset pointing far past the end of the data.
        let mut bad_offset = good.clone();
        bad_offset[4..36].copy_from_slice(&U256::from(u64::MAX).to_be_bytes::<32>());
        assert_eq!(RevertReason::decode(&bad_offset), None);
        // A string length far larger than the data.
        let mut bad_len = good;
        bad_len[36..68].copy_from_slice(&U256::MAX.to_be_bytes::<32>());
        assert_eq!(RevertReason::decode(&bad_len), None);
        // Panic selector with a truncated code word.
        let panic = panic_bytes(PanicKind::Assert);
        assert_eq!(RevertReason::decode(&panic[..20]), None);
    }

    #[test]
    fn invalid_utf8_reason_does_not_panic() {
        let mut data = Revert::SELECTOR.to_vec();
        let invalid = alloy_primitives::Bytes::from_static(&[0xff, 0xfe, 0xfd]);
        data.extend_from_slice(&(invalid,).abi_encode_params());
        // Either a lossy message or no reason is acceptable; it must simply not panic.
        let _ = RevertReason::decode(&data);
    }
}
