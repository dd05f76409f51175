//! The built-in actor manifest: which code CID each kind of built-in actor has in a given state.
//!
//! Filecoin records this in the state itself. The system actor (f00) holds
//! [`SystemState`]`{ builtin_actors }`, the CID of a DAG-CBOR list of `(name, code CID)` pairs —
//! the layout of builtin-actors' manifest data. Our genesis writes the static table of
//! [`BuiltinType::code_cid`] there, but a state forked from a real network names its actors by
//! the CIDs of Wasm bundles (`bafk2bzace…`), and a user may install actors of their own. So
//! inside the VM the *state's manifest* is the authority on what a code CID is and on which code
//! a new Account, Placeholder or EthAccount gets; `BuiltinType::code_cid`/`from_code` only
//! describe our own genesis.
//!
//! **Loading.** [`StateTree::manifest`] reads f00; the executor calls it once, when it is built,
//! and hands the result to every call manager. Trees loaded through a
//! [`RootCache`](crate::RootCache) share one decoded manifest per state root, so a call against
//! the head costs an `Arc` clone, not a HAMT lookup and a CBOR decode. A state whose manifest is
//! our genesis one (recognised by its CID, without decoding it) shares the static
//! [`Manifest::genesis`].
//!
//! **Fallback.** A tree without a system actor (unit tests build bare trees) uses
//! [`Manifest::genesis`]. A code CID the manifest does not name as a built-in is looked up in the
//! static table, so actors created with our CIDs stay recognisable in a forked state; a kind the
//! manifest lacks gets its static CID.
//!
//! **Implementations.** [`ActorRegistry`](crate::ActorRegistry) keeps our native actors under the
//! static CIDs; [`ActorRegistry::resolve`](crate::ActorRegistry::resolve) goes from a foreign CID
//! to its manifest name, and from the name to our implementation of that kind.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use anyhow::{Context, Result, anyhow, bail};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{CborStore, DAG_CBOR};
use multihash_codetable::{Code, MultihashDigest};

use crate::actor::BuiltinType;
use crate::builtin::SystemState;
use crate::call_manager::SYSTEM_ACTOR_ID;
use crate::genesis::builtin_manifest;
use crate::state_tree::StateTree;

/// One state's built-in actor manifest; see the module docs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The pairs as stored, in manifest order.
    entries: Vec<(String, Cid)>,
    /// The entries that name built-in kinds, as (code, kind). Scanned linearly: a manifest has a
    /// few dozen entries, and comparing that many CIDs costs less than hashing one; this runs
    /// for every message's sender and every EVM call target.
    builtins: Vec<(Cid, BuiltinType)>,
    /// The code of each built-in kind, in `BuiltinType::ALL` order (static CID if not named).
    codes: [Cid; BuiltinType::ALL.len()],
}

/// The manifest our genesis writes, shared by every state that carries it.
static GENESIS: LazyLock<Arc<Manifest>> = LazyLock::new(|| {
    Arc::new(Manifest {
        entries: builtin_manifest(),
        builtins: BuiltinType::ALL.iter().map(|t| (t.code_cid(), *t)).collect(),
        codes: BuiltinType::ALL.map(BuiltinType::code_cid),
    })
});

/// The CID under which genesis stores its manifest block (as `put_cbor` computes it), so that
/// loading a genesis-derived state needs no decode. `None` only if encoding failed, which just
/// disables the shortcut.
static GENESIS_CID: LazyLock<Option<Cid>> = LazyLock::new(|| {
    let bytes = fvm_ipld_encoding::to_vec(&builtin_manifest()).ok()?;
    Some(Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(&bytes)))
});

impl Manifest {
    /// Indexes a list of `(name, code)` pairs. Names not known as built-ins (user-installed
    /// actors) are kept and findable by name. A name or a code listed twice is refused: the
    /// manifest would not say what that code is.
    pub fn new(entries: Vec<(String, Cid)>) -> Result<Self> {
        let mut names = HashSet::with_capacity(entries.len());
        let mut seen = HashSet::with_capacity(entries.len());
        let mut builtins = Vec::new();
        let mut codes = BuiltinType::ALL.map(BuiltinType::code_cid);
        for (name, code) in &entries {
            if !names.insert(name.as_str()) {
                bail!("manifest names {name} twice");
            }
            if !seen.insert(*code) {
                bail!("manifest gives code {code} to more than one actor");
            }
            if let Some(kind) = BuiltinType::from_name(name) {
                builtins.push((*code, kind));
                codes[kind as usize - 1] = *code;
            }
        }
        Ok(Self { entries, builtins, codes })
    }

    /// Today's static table (what our genesis writes): every built-in under
    /// [`BuiltinType::code_cid`].
    pub fn genesis() -> Arc<Self> {
        GENESIS.clone()
    }

    /// Reads the manifest of the state in `tree`: f00's state, then the list it points to.
    /// Without a system actor, [`Manifest::genesis`]. Prefer [`StateTree::manifest`], which
    /// shares the result through the tree's root cache.
    pub fn load<BS: Blockstore + Clone>(tree: &StateTree<BS>) -> Result<Arc<Self>> {
        let Some(system) = tree.get_actor(SYSTEM_ACTOR_ID)? else { return Ok(Self::genesis()) };
        let store = tree.store();
        let state: SystemState = store
            .get_cbor(&system.state)
            .context("decoding the system actor's state")?
            .ok_or_else(|| anyhow!("system actor state {} not found", system.state))?;
        if Some(state.builtin_actors) == *GENESIS_CID {
            return Ok(Self::genesis());
        }
        let entries: Vec<(String, Cid)> = store
            .get_cbor(&state.builtin_actors)
            .context("decoding the built-in actor manifest")?
            .ok_or_else(|| anyhow!("manifest {} not found", state.builtin_actors))?;
        Ok(Arc::new(Self::new(entries)?))
    }

    /// The code CID of `kind` in this state: what the VM gives an actor of that kind it creates.
    pub fn code_of(&self, kind: BuiltinType) -> Cid {
        self.codes[kind as usize - 1]
    }

    /// The built-in kind `code` stands for: the manifest's entry if it names a built-in, else the
    /// static table (see the module docs); `None` for anything else.
    pub fn builtin_type(&self, code: &Cid) -> Option<BuiltinType> {
        let named = self.builtins.iter().find(|(c, _)| c == code).map(|(_, kind)| *kind);
        named.or_else(|| BuiltinType::from_code(code))
    }

    /// The code the manifest lists under `name` (built-in or user-installed).
    pub fn code_by_name(&self, name: &str) -> Option<Cid> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, code)| *code)
    }

    /// The manifest name of `code`, if listed.
    pub fn name_of(&self, code: &Cid) -> Option<&str> {
        self.entries.iter().find(|(_, c)| c == code).map(|(name, _)| name.as_str())
    }

    /// The `(name, code)` pairs, in manifest order.
    pub fn entries(&self) -> &[(String, Cid)] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use cid::multihash::Multihash;

    use super::*;

    fn foreign(name: &str) -> Cid {
        Cid::new_v1(fvm_shared::IPLD_RAW, Code::Blake2b256.digest(name.as_bytes()))
    }

    #[test]
    fn the_genesis_manifest_is_the_static_table() {
        let genesis = Manifest::genesis();
        assert_eq!(*genesis, Manifest::new(builtin_manifest()).unwrap());
        for kind in BuiltinType::ALL {
            assert_eq!(genesis.code_of(kind), kind.code_cid());
            assert_eq!(genesis.builtin_type(&kind.code_cid()), Some(kind));
            assert_eq!(genesis.name_of(&kind.code_cid()), Some(kind.name()));
        }
    }

    #[test]
    fn foreign_codes_resolve_and_static_ones_still_do() {
        let evm = foreign("evm");
        let user = foreign("my-actor");
        let mut entries = builtin_manifest();
        entries.retain(|(name, _)| name != "cron");
        entries.iter_mut().filter(|(n, _)| n == "evm").for_each(|e| e.1 = evm);
        entries.push(("my-actor".into(), user));
        let manifest = Manifest::new(entries).unwrap();
        assert_eq!(manifest.code_of(BuiltinType::Evm), evm);
        assert_eq!(manifest.builtin_type(&evm), Some(BuiltinType::Evm));
        // Code not named as a built-in: the static table, else nothing.
        assert_eq!(manifest.builtin_type(&BuiltinType::Evm.code_cid()), Some(BuiltinType::Evm));
        assert_eq!(manifest.builtin_type(&user), None);
        assert_eq!(
            (manifest.code_by_name("my-actor"), manifest.name_of(&user)),
            (Some(user), Some("my-actor"))
        );
        // A kind the manifest lacks keeps its static code.
        assert_eq!(manifest.code_of(BuiltinType::Cron), BuiltinType::Cron.code_cid());
        let raw = Cid::new_v1(fvm_shared::IPLD_RAW, Multihash::wrap(0, b"x").unwrap());
        assert_eq!(manifest.builtin_type(&raw), None);
    }

    #[test]
    fn ambiguous_manifests_are_refused() {
        let mut twice = builtin_manifest();
        twice.push(("evm".into(), foreign("evm")));
        assert!(Manifest::new(twice).is_err());
        let mut shared_code = builtin_manifest();
        shared_code.push(("my-actor".into(), BuiltinType::Evm.code_cid()));
        assert!(Manifest::new(shared_code).is_err());
        let user = vec![("a".to_string(), foreign("a")), ("a".to_string(), foreign("b"))];
        assert!(Manifest::new(user).is_err());
    }
}
