//! Filecoin and Ethereum addresses, and the FEVM's mapping between them.
//!
//! A Filecoin-EVM devnet constantly translates between two address worlds: Ethereum tooling
//! speaks 20-byte `0x…` addresses, while actors, messages and state use Filecoin addresses
//! (`f0` ID, `f1` secp256k1, `f2` actor, `f3` BLS, `f4` delegated). This crate is the one place
//! that knows those encodings and the rules that connect them, so the VM, the EVM actor, the RPC
//! layer and the CLI cannot drift apart:
//!
//! * [`filecoin`]: the text codec for every Filecoin protocol, with the network prefix (`f`/`t`)
//!   as an explicit [`Network`] argument. `fvm_shared`'s own `Display`/`FromStr` depend on a
//!   process-global network and are deliberately not used.
//! * [`eth`]: `0x` parsing (EIP-55 aware) and the `0x ⇄ f0/f410` mapping.
//! * [`masked_id`](mod@masked_id): the `0xff…<id>` form by which the EVM names actors without an Ethereum address.
//! * [`reserved`]: precompile address ranges and the EAM's "cannot be assigned" rule.
//! * [`forms`]: one call that returns every spelling of an address, for user-facing tools.
//! * [`error`]: the single [`AddressError`] type.
//!
//! The crate is pure (no I/O, no globals) and never panics on any input: untrusted strings and
//! bytes reach it straight from RPC requests and transactions.
//!
//! ```
//! use address_mapping::{EthAddress, Network, eth_to_filecoin, format_address, parse_eth_address};
//! let eth = parse_eth_address("0x0000000000000000000000000000000000000000").unwrap();
//! let fil = eth_to_filecoin(&eth).unwrap();
//! assert_eq!(format_address(&fil, Network::Mainnet), "f410faaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaonc6iji");
//! ```

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
// Untrusted input flows through every function here: forbid the usual hidden panics.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::unreachable
    )
)]

mod base32;
pub mod error;
pub mod eth;
pub mod filecoin;
pub mod forms;
pub mod masked_id;
pub mod network;
pub mod reserved;

/// The Ethereum address type used throughout (`alloy-primitives`).
pub use alloy_primitives::Address as EthAddress;
pub use error::{AddressError, NoEthFormReason, Result};
pub use eth::{
    EAM_ACTOR_ID, EAM_NAMESPACE, ETH_ADDRESS_LEN, eth_address_from_slice, eth_to_filecoin,
    filecoin_to_eth, parse_eth_address, to_checksummed,
};
pub use filecoin::{
    DisplayAddress, address_from_bytes, display_address, format_address, parse_address,
    parse_address_on,
};
pub use forms::{AddressForms, InputForm, address_forms};
/// The Filecoin address type used throughout (`fvm_shared`).
pub use fvm_shared::address::Address as FilAddress;
pub use masked_id::{MASKED_ID_PREFIX, is_masked_id, masked_id, masked_id_address};
pub use network::Network;
pub use reserved::{
    P256VERIFY_ADDRESS, can_assign_address, is_ethereum_precompile_slot,
    is_filecoin_precompile_slot, is_reserved_precompile,
};
