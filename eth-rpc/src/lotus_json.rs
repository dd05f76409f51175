//! Lotus's JSON forms of Filecoin values, for the `Filecoin.*` methods: CIDs as `{"/": "bafy…"}`.

use cid::Cid;
use serde::{Deserialize, Serialize};

use crate::error::{RpcError, RpcResult};

/// A CID as Lotus's JSON writes it: `{"/": "bafy…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidJson {
    /// The CID's string form.
    #[serde(rename = "/")]
    pub cid: String,
}

impl From<&Cid> for CidJson {
    fn from(cid: &Cid) -> Self {
        Self { cid: cid.to_string() }
    }
}

/// A CID parameter: Lotus's `{"/": "bafy…"}` or the bare string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum CidParam {
    /// `{"/": "bafy…"}`.
    Lotus(CidJson),
    /// `"bafy…"`.
    Text(String),
}

impl CidParam {
    /// The CID, or −32602 when it does not parse.
    pub fn parse(self) -> RpcResult<Cid> {
        let text = match self {
            Self::Lotus(CidJson { cid }) | Self::Text(cid) => cid,
        };
        Cid::try_from(text.as_str())
            .map_err(|err| RpcError::InvalidParams(format!("invalid CID {text:?}: {err}")))
    }
}
