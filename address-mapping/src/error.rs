//! The crate's single error type.
//!
//! Every parser and conversion in this crate returns [`AddressError`]. The variants are specific
//! enough that a caller (the EVM, the RPC layer, the CLI) can tell "malformed text" apart from
//! "well-formed address that simply has no 0x form", which they must treat differently: the first
//! is a user error, the second is a normal outcome for f1/f2/f3 addresses.

use crate::network::Network;

/// Shorthand for results whose error is [`AddressError`].
pub type Result<T> = std::result::Result<T, AddressError>;

/// Everything that can go wrong while parsing, printing-for-parsing or converting an address.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// The input string was empty.
    #[error("empty address string")]
    Empty,

    /// The input is longer than any valid address of its kind could be, or too short to hold a
    /// network prefix and a protocol digit.
    #[error("invalid address length: {0} bytes")]
    InvalidLength(usize),

    /// The first character is not a network prefix (`f` mainnet, `t` testnet).
    #[error("unknown network prefix {0:?} (expected 'f' or 't')")]
    UnknownNetwork(char),

    /// The address carries the prefix of a different network than the one the caller required
    /// (see [`crate::parse_address_on`]).
    #[error("address is for {found} but {expected} was required")]
    WrongNetwork {
        /// The network the caller asked for.
        expected: Network,
        /// The network named by the address prefix.
        found: Network,
    },

    /// The protocol character (second character) is not one of `0`..=`4`.
    #[error("unknown address protocol {0:?} (expected '0'..='4')")]
    UnknownProtocol(char),

    /// A decimal field (an f0 actor ID or an f4 namespace) is empty, has a leading zero, a sign
    /// or any character other than an ASCII digit.
    #[error("invalid decimal number {0:?} (digits only, no sign, no leading zeros)")]
    InvalidDecimal(String),

    /// A decimal field is well formed but does not fit in a `u64`.
    #[error("decimal number {0} does not fit in 64 bits")]
    DecimalOverflow(String),

    /// An f4 address has no `f` between its namespace and its base32 payload.
    #[error("delegated (f4) address is missing the 'f' namespace separator")]
    MissingNamespaceSeparator,

    /// A base32 payload contains a character outside the lowercase RFC 4648 alphabet
    /// (`a`..=`z`, `2`..=`7`). Upper case is rejected: the text form is canonical.
    #[error("invalid base32 character at byte offset {0}")]
    InvalidBase32Character(usize),

    /// A base32 payload has a length no byte string encodes to, or non-zero trailing bits, so it is
    /// not the canonical encoding of any payload.
    #[error("non-canonical base32 payload")]
    NonCanonicalBase32,

    /// The decoded payload (without checksum) has the wrong length for its protocol.
    #[error("invalid payload length for protocol {protocol}: {len} bytes")]
    InvalidPayloadLength {
        /// The protocol number (1 secp256k1, 2 actor, 3 BLS).
        protocol: u8,
        /// The number of payload bytes found.
        len: usize,
    },

    /// The decoded payload is too short to contain the 4-byte checksum.
    #[error("payload too short to contain a checksum")]
    MissingChecksum,

    /// An f4 subaddress is longer than the 54 bytes FIP-0048 allows.
    #[error("delegated subaddress is {0} bytes, at most 54 are allowed")]
    SubaddressTooLong(usize),

    /// The blake2b-32 checksum at the end of the payload does not match the address.
    #[error("address checksum mismatch")]
    InvalidChecksum,

    /// Binary address bytes were rejected by `fvm_shared` (unknown protocol, bad length,
    /// non-minimal or truncated LEB128, ...).
    #[error("invalid binary address: {0}")]
    InvalidBytes(#[source] fvm_shared::address::Error),

    /// A 0x address string does not start with `0x`.
    #[error("Ethereum address must start with \"0x\"")]
    MissingHexPrefix,

    /// A 0x address string does not have exactly 40 hex digits after the prefix.
    #[error("Ethereum address must have 40 hex digits, got {0}")]
    InvalidHexLength(usize),

    /// A 0x address string contains a non-hex character.
    #[error("invalid hex character at byte offset {0}")]
    InvalidHexCharacter(usize),

    /// Raw bytes offered as an Ethereum address are not exactly 20 bytes long.
    #[error("Ethereum address must be 20 bytes, got {0}")]
    InvalidEthByteLength(usize),

    /// A mixed-case 0x address whose capitalisation is not its EIP-55 checksum.
    #[error("mixed-case Ethereum address fails its EIP-55 checksum")]
    InvalidEip55Checksum,

    /// The address is valid but has no Ethereum (0x) equivalent.
    #[error("address has no 0x form: {0}")]
    NoEthForm(NoEthFormReason),
}

/// Why a valid Filecoin address has no 0x form. Kept separate from the text-level errors so that
/// callers like `fevm address` can print "no 0x form" as information rather than as a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoEthFormReason {
    /// f1 (secp256k1), f2 (actor) and f3 (BLS) addresses are hashes or keys with no EVM encoding;
    /// the EVM can reach such actors only through their masked ID or the `call_actor` precompile.
    #[error("f{0} addresses cannot be expressed as 0x; use the actor's f0 ID (masked ID) instead")]
    NonEvmProtocol(u8),

    /// An f4 address in a namespace other than the EAM's (10): only the EAM's subaddresses are
    /// Ethereum addresses.
    #[error("f4 namespace {0} is not the EAM namespace 10")]
    ForeignNamespace(u64),

    /// An f410 address whose subaddress is not exactly 20 bytes.
    #[error("f410 subaddress is {0} bytes, an Ethereum address needs exactly 20")]
    SubaddressLength(usize),

    /// An f410 address whose subaddress is itself a masked ID. Its 0x form would denote actor
    /// `f0<id>` instead, so mapping it would not round-trip (Lotus and Forest refuse it as well).
    #[error("f410 subaddress is the masked ID of f0{0}; the EAM never assigns such addresses")]
    EmbeddedMaskedId(u64),
}
