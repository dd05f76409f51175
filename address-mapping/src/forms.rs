//! "Every form of this address" for tools such as `fevm address <x>`.
//!
//! Users paste addresses in whatever form their wallet, explorer or Solidity code showed them.
//! [`address_forms`] accepts any of them and returns all the equivalent spellings at once, so a
//! front end never has to re-implement the dispatch or the mapping rules.

use alloy_primitives::Address as EthAddress;
use fvm_shared::address::{Address as FilAddress, Payload};

use crate::{
    error::{AddressError, NoEthFormReason, Result},
    eth::{eth_form, eth_to_filecoin, parse_eth_address, to_checksummed},
    filecoin::{format_address, parse_address},
    network::Network,
};

/// How the input to [`address_forms`] was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputForm {
    /// A `0x…` Ethereum address.
    Eth,
    /// A Filecoin address string with this network's prefix.
    Filecoin(Network),
}

/// One address in all its spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressForms {
    /// How the input was written.
    pub input: InputForm,
    /// The Filecoin address (for 0x input: `f0<id>` for a masked ID, otherwise `f410f…`).
    pub filecoin: FilAddress,
    /// The address with the mainnet prefix `f`.
    pub mainnet: String,
    /// The address with the testnet prefix `t`.
    pub testnet: String,
    /// The 0x form, or why there is none (e.g. for f1/f2/f3 addresses).
    pub eth: std::result::Result<EthAddress, NoEthFormReason>,
    /// The EIP-55 checksummed text of [`Self::eth`], when there is a 0x form.
    pub eth_checksummed: Option<String>,
    /// The actor ID, for ID addresses and masked IDs (both denote `f0<id>`).
    pub id: Option<u64>,
}

impl AddressForms {
    /// The Filecoin text for `network`.
    pub fn filecoin_text(&self, network: Network) -> &str {
        match network {
            Network::Mainnet => &self.mainnet,
            Network::Testnet => &self.testnet,
        }
    }

    fn new(input: InputForm, filecoin: FilAddress) -> Self {
        let eth = eth_form(&filecoin);
        let id = match filecoin.payload() {
            Payload::ID(id) => Some(*id),
            _ => None,
        };
        Self {
            input,
            mainnet: format_address(&filecoin, Network::Mainnet),
            testnet: format_address(&filecoin, Network::Testnet),
            eth_checksummed: eth.as_ref().ok().map(to_checksummed),
            eth,
            id,
            filecoin,
        }
    }
}

/// Parses `input` in any supported form (`0x…`, `f…`, `t…`) and returns every equivalent form.
///
/// Input is taken verbatim (no trimming). A bare 40-digit hex string is reported as
/// [`AddressError::MissingHexPrefix`] rather than as a bad Filecoin network prefix, since that is
/// almost certainly what the user meant.
///
/// ```
/// use address_mapping::{address_forms, InputForm, Network};
/// let forms = address_forms("f01234").unwrap();
/// assert_eq!(forms.input, InputForm::Filecoin(Network::Mainnet));
/// assert_eq!(forms.testnet, "t01234");
/// assert_eq!(forms.id, Some(1234));
/// assert_eq!(
///     forms.eth_checksummed.unwrap().to_lowercase(),
///     "0xff000000000000000000000000000000000004d2"
/// );
/// ```
pub fn address_forms(input: &str) -> Result<AddressForms> {
    if input.starts_with("0x") {
        let eth = parse_eth_address(input)?;
        return Ok(AddressForms::new(InputForm::Eth, eth_to_filecoin(&eth)?));
    }
    match parse_address(input) {
        Ok((filecoin, network)) => Ok(AddressForms::new(InputForm::Filecoin(network), filecoin)),
        Err(_) if looks_like_bare_hex(input) => Err(AddressError::MissingHexPrefix),
        Err(e) => Err(e),
    }
}

/// 40 hex digits with no prefix, or with an upper-case `0X`.
fn looks_like_bare_hex(input: &str) -> bool {
    let hex = input.strip_prefix("0X").unwrap_or(input);
    hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_masked_id_hex() {
        let forms = address_forms("0xff000000000000000000000000000000000004d2").unwrap();
        assert_eq!(forms.input, InputForm::Eth);
        assert_eq!(forms.filecoin, FilAddress::new_id(1234));
        assert_eq!(forms.mainnet, "f01234");
        assert_eq!(forms.filecoin_text(Network::Testnet), "t01234");
        assert_eq!(forms.id, Some(1234));
        assert_eq!(
            forms.eth_checksummed.as_deref().map(str::to_lowercase).as_deref(),
            Some("0xff000000000000000000000000000000000004d2")
        );
    }

    #[test]
    fn from_key_address_has_no_eth_form() {
        let forms = address_forms("t15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq").unwrap();
        assert_eq!(forms.input, InputForm::Filecoin(Network::Testnet));
        assert_eq!(forms.mainnet, "f15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq");
        assert_eq!(forms.eth, Err(NoEthFormReason::NonEvmProtocol(1)));
        assert_eq!(forms.eth_checksummed, None);
        assert_eq!(forms.id, None);
    }

    #[test]
    fn bare_hex_is_reported_as_missing_prefix() {
        let hex = "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        assert_eq!(address_forms(hex), Err(AddressError::MissingHexPrefix));
        assert_eq!(address_forms(&format!("0X{hex}")), Err(AddressError::MissingHexPrefix));
        // Not 40 digits: the Filecoin parser's own error stands.
        assert_eq!(address_forms("abc"), Err(AddressError::UnknownNetwork('a')));
    }

    #[test]
    fn errors_from_either_parser_pass_through() {
        assert_eq!(address_forms(""), Err(AddressError::Empty));
        assert_eq!(address_forms("0x12"), Err(AddressError::InvalidHexLength(2)));
        assert_eq!(address_forms("f0-1"), Err(AddressError::InvalidDecimal("-1".into())));
    }
}
