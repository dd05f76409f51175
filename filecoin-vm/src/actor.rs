//! Actors: the trait every actor implements, its error type, code CIDs, and the registry.
//!
//! Actors are native Rust here (there is no Wasm), but they keep Filecoin's identities: each
//! kind of actor has a code CID, and the state tree stores that CID. The registry maps code CIDs
//! to implementations, which is how `filecoin-vm` runs the EVM actor without depending on it.
//!
//! Which CID a kind has is the state's business: the system actor's [`Manifest`] says so, and
//! the VM asks it. The static table here ([`BuiltinType::code_cid`]) is what our genesis writes
//! into that manifest and what the registry keys our implementations by.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock};

use cid::Cid;
use cid::multihash::Multihash;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::MethodNum;
use fvm_shared::error::ExitCode;

use crate::manifest::Manifest;
use crate::runtime::Runtime;

/// The kinds of built-in actor, numbered as builtin-actors' `Type` enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
#[allow(missing_docs)]
pub enum BuiltinType {
    System = 1,
    Init = 2,
    Cron = 3,
    Account = 4,
    Power = 5,
    Miner = 6,
    Market = 7,
    PaymentChannel = 8,
    Multisig = 9,
    Reward = 10,
    VerifiedRegistry = 11,
    DataCap = 12,
    Placeholder = 13,
    Evm = 14,
    Eam = 15,
    EthAccount = 16,
}

/// The builtin-actors release whose names the code CIDs carry.
pub const ACTORS_VERSION: u32 = 18;

impl BuiltinType {
    /// Every built-in type.
    pub const ALL: [Self; 16] = [
        Self::System,
        Self::Init,
        Self::Cron,
        Self::Account,
        Self::Power,
        Self::Miner,
        Self::Market,
        Self::PaymentChannel,
        Self::Multisig,
        Self::Reward,
        Self::VerifiedRegistry,
        Self::DataCap,
        Self::Placeholder,
        Self::Evm,
        Self::Eam,
        Self::EthAccount,
    ];

    /// The manifest name ("evm", "placeholder", …).
    pub const fn name(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Init => "init",
            Self::Cron => "cron",
            Self::Account => "account",
            Self::Power => "storagepower",
            Self::Miner => "storageminer",
            Self::Market => "storagemarket",
            Self::PaymentChannel => "paymentchannel",
            Self::Multisig => "multisig",
            Self::Reward => "reward",
            Self::VerifiedRegistry => "verifiedregistry",
            Self::DataCap => "datacap",
            Self::Placeholder => "placeholder",
            Self::Evm => "evm",
            Self::Eam => "eam",
            Self::EthAccount => "ethaccount",
        }
    }

    /// The code CID of this actor kind in our genesis (the static table).
    ///
    /// Inside the VM the state's [`Manifest`] is the authority (a forked state has other CIDs);
    /// this is for building genesis, registering implementations, and crates above the VM that
    /// only see our own states.
    ///
    /// Real networks use the CID of a Wasm bundle. We run native code, so we use the other form
    /// Filecoin has used for built-in code (actors v1–v7): a raw CID with an identity multihash
    /// of `fil/<version>/<name>`. It is stable, self-describing, and never collides with a
    /// content hash.
    pub fn code_cid(self) -> Cid {
        CODE_CIDS[self as usize - 1]
    }

    /// The built-in type a code CID of the static table stands for, if any. Inside the VM, ask
    /// the state's [`Manifest`] (or [`Runtime::builtin_type`]) instead; it falls back to this.
    pub fn from_code(code: &Cid) -> Option<Self> {
        CODE_CIDS.iter().position(|c| c == code).map(|i| Self::ALL[i])
    }

    /// The built-in type a manifest name ("evm", "storageminer", …) stands for, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether this kind of actor may send a top-level message (ref-fvm's preflight; a
    /// placeholder may too, after promotion — see the executor).
    pub const fn is_account_like(self) -> bool {
        matches!(self, Self::Account | Self::EthAccount)
    }
}

/// Code CIDs in `BuiltinType::ALL` order, computed once.
static CODE_CIDS: LazyLock<[Cid; 16]> = LazyLock::new(|| {
    BuiltinType::ALL.map(|t| {
        let name = format!("fil/{ACTORS_VERSION}/{}", t.name());
        // Names are far below the 64-byte multihash limit, so wrapping cannot fail.
        let digest =
            Multihash::wrap(fvm_shared::IDENTITY_HASH, name.as_bytes()).unwrap_or_default();
        Cid::new_v1(fvm_shared::IPLD_RAW, digest)
    })
});

/// An actor's failure: the exit code, an optional return block (e.g. revert data) and a message
/// for logs and traces.
#[derive(Clone, PartialEq, Eq)]
pub struct ActorError {
    exit_code: ExitCode,
    data: Option<IpldBlock>,
    message: String,
}

impl ActorError {
    /// A failure with this exit code.
    pub fn new(exit_code: ExitCode, message: impl Into<String>) -> Self {
        Self { exit_code, data: None, message: message.into() }
    }

    /// A failure that returns data to the caller (revert bytes, for instance).
    pub fn with_data(exit_code: ExitCode, data: Option<IpldBlock>, msg: impl Into<String>) -> Self {
        Self { exit_code, data, message: msg.into() }
    }

    /// USR_ILLEGAL_ARGUMENT.
    pub fn illegal_argument(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_ILLEGAL_ARGUMENT, message)
    }

    /// USR_FORBIDDEN.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_FORBIDDEN, message)
    }

    /// USR_NOT_FOUND.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_NOT_FOUND, message)
    }

    /// USR_ILLEGAL_STATE.
    pub fn illegal_state(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_ILLEGAL_STATE, message)
    }

    /// USR_SERIALIZATION.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_SERIALIZATION, message)
    }

    /// USR_UNHANDLED_MESSAGE for a method the actor does not have.
    pub fn unhandled_method(method: MethodNum) -> Self {
        Self::new(ExitCode::USR_UNHANDLED_MESSAGE, format!("method {method} not handled"))
    }

    /// USR_READ_ONLY.
    pub fn read_only(message: impl Into<String>) -> Self {
        Self::new(ExitCode::USR_READ_ONLY, message)
    }

    /// The frame ran out of gas (SYS_OUT_OF_GAS); the call manager decides how far it unwinds.
    pub fn out_of_gas() -> Self {
        Self::new(ExitCode::SYS_OUT_OF_GAS, "out of gas")
    }

    /// The exit code.
    pub const fn exit_code(&self) -> ExitCode {
        self.exit_code
    }

    /// The returned block, if any.
    pub const fn data(&self) -> Option<&IpldBlock> {
        self.data.as_ref()
    }

    /// Takes the returned block.
    pub fn take_data(&mut self) -> Option<IpldBlock> {
        self.data.take()
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for ActorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActorError({}: {})", self.exit_code, self.message)
    }
}

impl fmt::Display for ActorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {}: {}", self.exit_code.value(), self.message)
    }
}

impl std::error::Error for ActorError {}

impl From<fvm_ipld_encoding::Error> for ActorError {
    fn from(e: fvm_ipld_encoding::Error) -> Self {
        Self::serialization(e.to_string())
    }
}

/// What an invocation returns on success: an optional block.
pub type ActorResult = Result<Option<IpldBlock>, ActorError>;

/// An actor implementation: one `invoke` per method call, with everything else reached through
/// the [`Runtime`]. Implementations are stateless; state lives in the state tree.
pub trait Actor: Send + Sync {
    /// Runs `method` with `params`.
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        params: Option<IpldBlock>,
    ) -> ActorResult;
}

/// Code CID → implementation. Built once (at genesis or node start) and shared read-only.
///
/// Our implementations are registered under the static CIDs ([`BuiltinType::code_cid`]). The VM
/// looks code up with [`ActorRegistry::resolve`], which also runs a state whose manifest uses
/// other CIDs for the same kinds (a fork of a real network) on these implementations.
#[derive(Clone, Default)]
pub struct ActorRegistry {
    actors: HashMap<Cid, Arc<dyn Actor>>,
}

impl ActorRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `actor` as the implementation of `code`.
    pub fn register(&mut self, code: Cid, actor: Arc<dyn Actor>) -> &mut Self {
        self.actors.insert(code, actor);
        self
    }

    /// The implementation registered under exactly `code`, if any.
    pub fn get(&self, code: &Cid) -> Option<&Arc<dyn Actor>> {
        self.actors.get(code)
    }

    /// The implementation of `code` in a state with this `manifest`: the one registered under
    /// `code` itself, else — for a code the manifest names as a built-in kind, such as a Wasm
    /// bundle CID — the one registered under that kind's static CID. The second lookup happens
    /// only on a miss, so our own states pay one hash lookup as before.
    pub fn resolve(&self, code: &Cid, manifest: &Manifest) -> Option<&Arc<dyn Actor>> {
        self.actors.get(code).or_else(|| {
            let kind = manifest.builtin_type(code)?;
            self.actors.get(&kind.code_cid())
        })
    }
}

impl fmt::Debug for ActorRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self
            .actors
            .keys()
            .map(|c| BuiltinType::from_code(c).map_or_else(|| c.to_string(), |t| t.name().into()))
            .collect();
        names.sort();
        f.debug_struct("ActorRegistry").field("actors", &names).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_cids_are_distinct_and_round_trip() {
        for t in BuiltinType::ALL {
            assert_eq!(BuiltinType::from_code(&t.code_cid()), Some(t));
        }
        let evm = BuiltinType::Evm.code_cid();
        assert_eq!((evm.codec(), evm.hash().code()), (fvm_shared::IPLD_RAW, 0));
        assert_eq!(evm.hash().digest(), b"fil/18/evm");
        assert_ne!(BuiltinType::Evm.code_cid(), BuiltinType::Eam.code_cid());
    }

    #[test]
    fn names_round_trip() {
        for t in BuiltinType::ALL {
            assert_eq!(BuiltinType::from_name(t.name()), Some(t));
        }
        assert_eq!(BuiltinType::from_name("evm2"), None);
    }
}
