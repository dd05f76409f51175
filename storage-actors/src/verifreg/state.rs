//! The verified registry's state, laid out as the network's (builtin-actors
//! `actors/verifreg/src/state.rs`): verifiers and removal-proposal counters in flat HAMTs,
//! allocations and claims in HAMTs of HAMTs keyed by actor ID then by allocation/claim ID
//! (LEB128 keys, bit width 5 at both levels). An owner whose inner map empties loses its
//! outer entry, as upstream's `MapMap` does, so the roots match the network's.

use std::collections::BTreeMap;

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::bigint::bigint_ser;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::types::{AllocationID, DataCap, RemoveDataCapProposalID};
use crate::plumbing::{address_key, parse_u64_key, store_error, u64_key};

/// Bit width of every HAMT in this state.
pub const HAMT_BIT_WIDTH: u32 = 5;

/// The registry's state: `[root_key, verifiers, remove_data_cap_proposal_ids, allocations,
/// next_allocation_id, claims]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct VerifregState {
    /// Who adds and removes verifiers (an ID address; a multisig in Lotus' genesis).
    pub root_key: Address,
    /// HAMT verifier address → remaining allowance (bytes, BigInt).
    pub verifiers: Cid,
    /// HAMT (verifier bytes ‖ client bytes) → [`RemoveDataCapProposalID`].
    pub remove_data_cap_proposal_ids: Cid,
    /// HAMT client ID → HAMT allocation ID → [`Allocation`].
    pub allocations: Cid,
    /// The next allocation's id (starts at 1; 0 means "no allocation").
    pub next_allocation_id: u64,
    /// HAMT provider ID → HAMT claim ID → [`Claim`].
    pub claims: Cid,
}

/// Datacap a client set aside for one piece with one provider, until claimed or expired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Allocation {
    /// The client that spent the datacap.
    pub client: ActorID,
    /// The miner that may claim it.
    pub provider: ActorID,
    /// The piece CID.
    pub data: Cid,
    /// The piece size.
    pub size: PaddedPieceSize,
    /// Minimum term the provider must commit to.
    pub term_min: ChainEpoch,
    /// Maximum term the claim may earn power for.
    pub term_max: ChainEpoch,
    /// Last epoch it can be claimed.
    pub expiration: ChainEpoch,
}

/// A claimed allocation: the provider earns verified power for the piece until
/// `term_start + term_max`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Claim {
    /// The miner storing the piece.
    pub provider: ActorID,
    /// The client that allocated it.
    pub client: ActorID,
    /// The piece CID.
    pub data: Cid,
    /// The piece size.
    pub size: PaddedPieceSize,
    /// Minimum term after `term_start`.
    pub term_min: ChainEpoch,
    /// Maximum term after `term_start`.
    pub term_max: ChainEpoch,
    /// The epoch it was claimed.
    pub term_start: ChainEpoch,
    /// The provider's sector holding it.
    pub sector: SectorNumber,
}

/// Allocations expire at their `expiration`, claims at `term_start + term_max`.
pub trait Expires {
    /// The first epoch at which it counts as expired.
    fn expiration(&self) -> ChainEpoch;
}

impl Expires for Allocation {
    fn expiration(&self) -> ChainEpoch {
        self.expiration
    }
}

impl Expires for Claim {
    fn expiration(&self) -> ChainEpoch {
        self.term_start.saturating_add(self.term_max)
    }
}

/// A verifier's allowance as the verifiers HAMT stores it: a bare BigInt.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
struct Allowance(#[serde(with = "bigint_ser")] DataCap);

type Map<'bs, BS, V> = Hamt<&'bs BS, V, BytesKey>;

fn empty_root<BS: Blockstore>(store: &BS) -> Result<Cid, ActorError> {
    Map::<BS, Cid>::new_with_bit_width(store, HAMT_BIT_WIDTH).flush().map_err(store_error)
}

fn load<'bs, BS: Blockstore, V: Serialize + DeserializeOwned>(
    store: &'bs BS,
    root: &Cid,
) -> Result<Map<'bs, BS, V>, ActorError> {
    Map::load_with_bit_width(root, store, HAMT_BIT_WIDTH).map_err(store_error)
}

impl VerifregState {
    /// A registry with no verifiers, allocations or claims, its empty HAMTs in `store`.
    pub fn new<BS: Blockstore>(store: &BS, root_key: Address) -> Result<Self, ActorError> {
        let empty = empty_root(store)?;
        Ok(Self {
            root_key,
            verifiers: empty,
            remove_data_cap_proposal_ids: empty,
            allocations: empty,
            next_allocation_id: 1,
            claims: empty,
        })
    }

    /// A verifier's remaining allowance (`None` if it is not a verifier).
    pub fn verifier_cap<BS: Blockstore>(
        &self,
        store: &BS,
        verifier: &Address,
    ) -> Result<Option<DataCap>, ActorError> {
        let map: Map<'_, BS, Allowance> = load(store, &self.verifiers)?;
        Ok(map.get(&address_key(verifier)).map_err(store_error)?.map(|a| a.0.clone()))
    }

    /// Adds a verifier or replaces its allowance.
    pub fn put_verifier<BS: Blockstore>(
        &mut self,
        store: &BS,
        verifier: &Address,
        cap: &DataCap,
    ) -> Result<(), ActorError> {
        let mut map: Map<'_, BS, Allowance> = load(store, &self.verifiers)?;
        map.set(address_key(verifier), Allowance(cap.clone())).map_err(store_error)?;
        self.verifiers = map.flush().map_err(store_error)?;
        Ok(())
    }

    /// Removes a verifier (`USR_ILLEGAL_ARGUMENT` if it is not one).
    pub fn remove_verifier<BS: Blockstore>(
        &mut self,
        store: &BS,
        verifier: &Address,
    ) -> Result<(), ActorError> {
        let mut map: Map<'_, BS, Allowance> = load(store, &self.verifiers)?;
        if map.delete(&address_key(verifier)).map_err(store_error)?.is_none() {
            return Err(ActorError::illegal_argument(format!("verifier {verifier} not found")));
        }
        self.verifiers = map.flush().map_err(store_error)?;
        Ok(())
    }

    /// Returns the (verifier, client) pair's current proposal id and moves it on by one.
    pub fn use_proposal_id<BS: Blockstore>(
        &mut self,
        store: &BS,
        verifier: &Address,
        client: &Address,
    ) -> Result<RemoveDataCapProposalID, ActorError> {
        let mut map: Map<'_, BS, RemoveDataCapProposalID> =
            load(store, &self.remove_data_cap_proposal_ids)?;
        let key = BytesKey([verifier.to_bytes(), client.to_bytes()].concat());
        let current = map.get(&key).map_err(store_error)?.copied().unwrap_or_default();
        let next = current.id.checked_add(1).ok_or_else(|| {
            ActorError::illegal_state(format!("proposal id overflow for {verifier} {client}"))
        })?;
        map.set(key, RemoveDataCapProposalID { id: next }).map_err(store_error)?;
        self.remove_data_cap_proposal_ids = map.flush().map_err(store_error)?;
        Ok(current)
    }

    /// The allocations table.
    pub fn allocations<'bs, BS: Blockstore>(
        &self,
        store: &'bs BS,
    ) -> Result<NestedMap<'bs, BS, Allocation>, ActorError> {
        NestedMap::load(store, &self.allocations)
    }

    /// The claims table.
    pub fn claims<'bs, BS: Blockstore>(
        &self,
        store: &'bs BS,
    ) -> Result<NestedMap<'bs, BS, Claim>, ActorError> {
        NestedMap::load(store, &self.claims)
    }

    /// Stores `allocs` under `client` with consecutive ids from `next_allocation_id`; returns
    /// the ids.
    pub fn insert_allocations<BS: Blockstore>(
        &mut self,
        store: &BS,
        client: ActorID,
        allocs: Vec<Allocation>,
    ) -> Result<Vec<AllocationID>, ActorError> {
        if allocs.is_empty() {
            return Ok(Vec::new());
        }
        let mut table = self.allocations(store)?;
        let mut ids = Vec::with_capacity(allocs.len());
        for alloc in allocs {
            let id = self.next_allocation_id;
            self.next_allocation_id = id
                .checked_add(1)
                .ok_or_else(|| ActorError::illegal_state("allocation ids exhausted"))?;
            table.put(client, id, alloc)?;
            ids.push(id);
        }
        self.allocations = table.flush()?;
        Ok(ids)
    }
}

/// A HAMT of HAMTs (owner ID → item ID → item), as builtin-actors' `MapMap`: inner maps are
/// cached as they are touched and written back by [`NestedMap::flush`].
#[derive(Debug)]
pub struct NestedMap<'bs, BS: Blockstore, V> {
    store: &'bs BS,
    outer: Map<'bs, BS, Cid>,
    inner: BTreeMap<ActorID, Map<'bs, BS, V>>,
}

impl<'bs, BS: Blockstore, V: Serialize + DeserializeOwned + Clone + PartialEq>
    NestedMap<'bs, BS, V>
{
    /// The table at `root`.
    pub fn load(store: &'bs BS, root: &Cid) -> Result<Self, ActorError> {
        Ok(Self { store, outer: load(store, root)?, inner: BTreeMap::new() })
    }

    fn inner(&mut self, owner: ActorID) -> Result<&mut Map<'bs, BS, V>, ActorError> {
        if !self.inner.contains_key(&owner) {
            let map = match self.outer.get(&u64_key(owner)).map_err(store_error)? {
                Some(root) => load(self.store, root)?,
                None => Map::new_with_bit_width(self.store, HAMT_BIT_WIDTH),
            };
            self.inner.insert(owner, map);
        }
        self.inner
            .get_mut(&owner)
            .ok_or_else(|| ActorError::illegal_state("inner map vanished from the cache"))
    }

    /// The item `id` of `owner`.
    pub fn get(&mut self, owner: ActorID, id: u64) -> Result<Option<V>, ActorError> {
        Ok(self.inner(owner)?.get(&u64_key(id)).map_err(store_error)?.cloned())
    }

    /// Sets the item, returning the previous one.
    pub fn put(&mut self, owner: ActorID, id: u64, value: V) -> Result<Option<V>, ActorError> {
        self.inner(owner)?.set(u64_key(id), value).map_err(store_error)
    }

    /// Sets the item unless one is there; whether it was set.
    pub fn put_if_absent(&mut self, owner: ActorID, id: u64, value: V) -> Result<bool, ActorError> {
        self.inner(owner)?.set_if_absent(u64_key(id), value).map_err(store_error)
    }

    /// Removes the item, returning it.
    pub fn remove(&mut self, owner: ActorID, id: u64) -> Result<Option<V>, ActorError> {
        let removed = self.inner(owner)?.delete(&u64_key(id)).map_err(store_error)?;
        Ok(removed.map(|(_, v)| v))
    }

    /// Every item of `owner`, in the HAMT's order.
    pub fn items(&mut self, owner: ActorID) -> Result<Vec<(u64, V)>, ActorError> {
        let mut items = Vec::new();
        self.inner(owner)?
            .for_each(|key, value| {
                let id = parse_u64_key(key)
                    .ok_or_else(|| anyhow::anyhow!("malformed id key {:?}", key.0))?;
                items.push((id, value.clone()));
                Ok(())
            })
            .map_err(store_error)?;
        Ok(items)
    }

    /// Writes the touched inner maps back (dropping empty ones) and returns the table's root.
    pub fn flush(&mut self) -> Result<Cid, ActorError> {
        for (owner, map) in &mut self.inner {
            let key = u64_key(*owner);
            if map.is_empty() {
                self.outer.delete(&key).map_err(store_error)?;
            } else {
                let root = map.flush().map_err(store_error)?;
                self.outer.set(key, root).map_err(store_error)?;
            }
        }
        self.outer.flush().map_err(store_error)
    }
}

/// Of `candidates`, which `owner` holds and are expired at `now`: OK for those, 18 for the
/// unexpired, 17 for the unknown (builtin-actors' `check_expired`).
pub(super) fn check_expired<BS: Blockstore, V>(
    table: &mut NestedMap<'_, BS, V>,
    owner: ActorID,
    candidates: &[u64],
    now: ChainEpoch,
) -> Result<Vec<fvm_shared::error::ExitCode>, ActorError>
where
    V: Expires + Serialize + DeserializeOwned + Clone + PartialEq,
{
    use fvm_shared::error::ExitCode;
    candidates
        .iter()
        .map(|id| {
            Ok(match table.get(owner, *id)? {
                Some(item) if now >= item.expiration() => ExitCode::OK,
                Some(_) => ExitCode::USR_FORBIDDEN,
                None => ExitCode::USR_NOT_FOUND,
            })
        })
        .collect()
}

/// The ids of `owner`'s items that are expired at `now` (builtin-actors' `find_expired`).
pub(super) fn find_expired<BS: Blockstore, V>(
    table: &mut NestedMap<'_, BS, V>,
    owner: ActorID,
    now: ChainEpoch,
) -> Result<Vec<u64>, ActorError>
where
    V: Expires + Serialize + DeserializeOwned + Clone + PartialEq,
{
    let items = table.items(owner)?;
    Ok(items.into_iter().filter(|(_, item)| now >= item.expiration()).map(|(id, _)| id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_blockstore::MemoryBlockstore;

    fn alloc(expiration: ChainEpoch) -> Allocation {
        let data = Cid::default();
        let size = PaddedPieceSize(256);
        Allocation { client: 100, provider: 1000, data, size, term_min: 1, term_max: 2, expiration }
    }

    #[test]
    fn new_state_has_empty_maps_and_first_id_one() {
        let store = MemoryBlockstore::new();
        let st = VerifregState::new(&store, Address::new_id(80)).unwrap();
        // Filecoin's well-known empty HAMT root.
        let empty = "bafy2bzaceamp42wmmgr2g2ymg46euououzfyck7szknvfacqscohrvaikwfay";
        for root in [st.verifiers, st.remove_data_cap_proposal_ids, st.allocations, st.claims] {
            assert_eq!(root.to_string(), empty);
        }
        assert_eq!(st.next_allocation_id, 1);
    }

    #[test]
    fn nested_map_drops_owners_whose_items_are_all_gone() {
        let store = MemoryBlockstore::new();
        let mut st = VerifregState::new(&store, Address::new_id(80)).unwrap();
        let empty = st.allocations;
        let ids = st.insert_allocations(&store, 100, vec![alloc(10), alloc(20)]).unwrap();
        assert_eq!((ids, st.next_allocation_id), (vec![1, 2], 3));
        let mut table = st.allocations(&store).unwrap();
        assert_eq!(find_expired(&mut table, 100, 15).unwrap(), vec![1]);
        let codes = check_expired(&mut table, 100, &[1, 2, 3], 15).unwrap();
        use fvm_shared::error::ExitCode;
        assert_eq!(codes, [ExitCode::OK, ExitCode::USR_FORBIDDEN, ExitCode::USR_NOT_FOUND]);
        assert_eq!(table.remove(100, 1).unwrap(), Some(alloc(10)));
        assert_ne!(table.flush().unwrap(), empty);
        assert_eq!(table.remove(100, 2).unwrap(), Some(alloc(20)));
        assert_eq!(table.flush().unwrap(), empty);
    }

    #[test]
    fn proposal_ids_count_per_verifier_and_client() {
        let store = MemoryBlockstore::new();
        let mut st = VerifregState::new(&store, Address::new_id(80)).unwrap();
        let (v, c) = (Address::new_id(101), Address::new_id(102));
        assert_eq!(st.use_proposal_id(&store, &v, &c).unwrap().id, 0);
        assert_eq!(st.use_proposal_id(&store, &v, &c).unwrap().id, 1);
        assert_eq!(st.use_proposal_id(&store, &c, &v).unwrap().id, 0);
        let map: Map<'_, _, RemoveDataCapProposalID> =
            load(&store, &st.remove_data_cap_proposal_ids).unwrap();
        // Key: the two addresses' bytes (00 65 ‖ 00 66), value `[2]`.
        let key = BytesKey(vec![0x00, 101, 0x00, 102]);
        assert_eq!(map.get(&key).unwrap(), Some(&RemoveDataCapProposalID { id: 2 }));
    }

    #[test]
    fn verifiers_are_added_replaced_and_removed() {
        let store = MemoryBlockstore::new();
        let mut st = VerifregState::new(&store, Address::new_id(80)).unwrap();
        let v = Address::new_id(101);
        st.put_verifier(&store, &v, &DataCap::from(300)).unwrap();
        st.put_verifier(&store, &v, &DataCap::from(500)).unwrap();
        assert_eq!(st.verifier_cap(&store, &v).unwrap(), Some(DataCap::from(500)));
        st.remove_verifier(&store, &v).unwrap();
        assert_eq!(st.verifier_cap(&store, &v).unwrap(), None);
        let err = st.remove_verifier(&store, &v).unwrap_err();
        assert_eq!(err.exit_code(), fvm_shared::error::ExitCode::USR_ILLEGAL_ARGUMENT);
    }
}
