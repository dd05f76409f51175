//! Positional JSON-RPC parameters: the one way every handler reads them, and the conversion of a
//! 0x address parameter to the Filecoin address it names.
//!
//! Parameters are read one by one in order, each with a name that errors quote; optional
//! trailing ones may be missing or `null`. A value that does not deserialize is −32602 naming
//! its position and name (`invalid argument 1 (block): …`), which is what Geth answers and what
//! clients show their users.

use jsonrpsee::types::params::ParamsSequence;
use jsonrpsee::types::{ErrorObjectOwned, Params};
use serde::de::DeserializeOwned;

use crate::error::{RpcError, RpcResult};

/// See the module docs.
#[derive(Debug)]
pub struct Positional<'a> {
    seq: ParamsSequence<'a>,
    index: usize,
}

impl<'a> Positional<'a> {
    /// Reads `params` from the start.
    pub fn new(params: &'a Params<'a>) -> Self {
        Self { seq: params.sequence(), index: 0 }
    }

    /// The next parameter, which must be present and not `null`.
    pub fn required<T: DeserializeOwned>(&mut self, name: &str) -> RpcResult<T> {
        let position = self.index;
        self.optional(name)?.ok_or_else(|| {
            RpcError::InvalidParams(format!(
                "missing value for required argument {position} ({name})"
            ))
        })
    }

    /// The next parameter, if present and not `null`.
    pub fn optional<T: DeserializeOwned>(&mut self, name: &str) -> RpcResult<Option<T>> {
        let position = self.index;
        self.index += 1;
        self.seq.optional_next::<T>().map_err(|e| invalid_argument(position, name, &e))
    }
}

/// The Filecoin address a 0x address in a request names: f0 for a masked ID, f410 otherwise;
/// −32602 for an address that has neither form (a precompile the EAM cannot assign).
pub fn to_filecoin(address: alloy_primitives::Address) -> RpcResult<fvm_shared::address::Address> {
    address_mapping::eth_to_filecoin(&address)
        .map_err(|e| RpcError::InvalidParams(format!("invalid address {address}: {e}")))
}

fn invalid_argument(position: usize, name: &str, err: &ErrorObjectOwned) -> RpcError {
    let detail = err
        .data()
        .map(|raw| serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().into()))
        .unwrap_or_else(|| err.message().to_owned());
    RpcError::InvalidParams(format!("invalid argument {position} ({name}): {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_optional_and_null() {
        let params = Params::new(Some(r#"["0x1", null]"#));
        let mut p = Positional::new(&params);
        assert_eq!(p.required::<String>("first").unwrap(), "0x1");
        assert_eq!(p.optional::<String>("second").unwrap(), None);
        assert_eq!(p.optional::<String>("third").unwrap(), None);

        let params = Params::new(Some(r#"[null]"#));
        let err = Positional::new(&params).required::<String>("hash").unwrap_err();
        assert_eq!(err.to_string(), "missing value for required argument 0 (hash)");

        let params = Params::new(Some(r#"[true, 5]"#));
        let mut p = Positional::new(&params);
        assert!(p.required::<bool>("full").unwrap());
        let err = p.required::<String>("name").unwrap_err();
        assert!(err.to_string().starts_with("invalid argument 1 (name): "), "{err}");
    }
}
