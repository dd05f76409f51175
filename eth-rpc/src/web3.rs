//! The `web3_` and `net_` namespaces: `web3_clientVersion`, `web3_sha3`, `net_version` (the
//! chain id in decimal) and `net_listening`.

use alloy_primitives::{B256, hex, keccak256};
use jsonrpsee::{RpcModule, core::RegisterMethodError};

use crate::error::{RpcError, RpcResult};
use crate::params::Positional;

/// What `web3_clientVersion` answers: `fevm/v<crate version>` (anvil answers `anvil/v<version>`).
pub const CLIENT_VERSION: &str = concat!("fevm/v", env!("CARGO_PKG_VERSION"));

/// The `web3_` and `net_` methods of a chain with id `chain_id`.
pub fn module(chain_id: u64) -> Result<RpcModule<u64>, RegisterMethodError> {
    let mut module = RpcModule::new(chain_id);
    module.register_method("web3_clientVersion", |_, _, _| client_version())?;
    module.register_method("web3_sha3", |params, _, _| {
        let input: String = Positional::new(&params).required("data")?;
        sha3(&input)
    })?;
    module.register_method("net_version", |_, chain_id, _| net_version(*chain_id))?;
    module.register_method("net_listening", |_, _, _| net_listening())?;
    Ok(module)
}

/// Handler for: `web3_clientVersion`.
fn client_version() -> RpcResult<&'static str> {
    Ok(CLIENT_VERSION)
}

/// Handler for: `web3_sha3`: keccak-256 of the `0x`-prefixed hex input.
fn sha3(input: &str) -> RpcResult<B256> {
    let Some(digits) = input.strip_prefix("0x").or_else(|| input.strip_prefix("0X")) else {
        return Err(RpcError::InvalidParams("hex string without 0x prefix".into()));
    };
    let bytes = hex::decode(digits)
        .map_err(|err| RpcError::InvalidParams(format!("invalid hex input: {err}")))?;
    Ok(keccak256(bytes))
}

/// Handler for: `net_version`: the chain id as a decimal string.
fn net_version(chain_id: u64) -> RpcResult<String> {
    Ok(chain_id.to_string())
}

/// Handler for: `net_listening`: the gateway is always listening while it answers.
fn net_listening() -> RpcResult<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha3_hashes_hex_input() {
        // keccak256("hello")
        assert_eq!(
            sha3("0x68656c6c6f").unwrap().to_string(),
            "0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8"
        );
        // keccak256("")
        assert_eq!(
            sha3("0x").unwrap().to_string(),
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
    }

    #[test]
    fn sha3_rejects_bad_hex() {
        for bad in ["68656c6c6f", "0x6", "0xzz", ""] {
            assert!(matches!(sha3(bad), Err(RpcError::InvalidParams(_))), "{bad:?}");
        }
    }

    #[test]
    fn client_version_names_the_crate() {
        assert_eq!(client_version().unwrap(), format!("fevm/v{}", env!("CARGO_PKG_VERSION")));
    }
}
