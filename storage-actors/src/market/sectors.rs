//! The state's bookkeeping of activation: verified allocation IDs of deals not yet activated,
//! and activated deals by provider and sector (which `OnMinerSectorsTerminate` reads).

use filecoin_vm::ActorError;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_hamt::Hamt;
use fvm_shared::ActorID;
use fvm_shared::sector::SectorNumber;

use super::state::{
    AllocationIds, CidMap, HAMT_BIT_WIDTH, MarketState, ProviderSectorDeals, SectorDealsMap,
};
use super::types::{AllocationID, DealID};
use crate::plumbing::{store_error, u64_key};

impl MarketState {
    // ---- pending allocation IDs ----

    fn load_allocation_ids<'a, BS: Blockstore>(
        &self,
        store: &'a BS,
    ) -> Result<AllocationIds<'a, BS>, ActorError> {
        Hamt::load_with_bit_width(&self.pending_deal_allocation_ids, store, HAMT_BIT_WIDTH)
            .map_err(store_error)
    }

    /// The verified allocation of a deal not yet activated (what Lotus's
    /// `StateGetAllocationIdForPendingDeal` reads).
    pub fn pending_allocation_id<BS: Blockstore>(
        &self,
        store: &BS,
        id: DealID,
    ) -> Result<Option<AllocationID>, ActorError> {
        Ok(self.load_allocation_ids(store)?.get(&u64_key(id)).map_err(store_error)?.copied())
    }

    pub(super) fn put_allocation_ids<BS: Blockstore>(
        &mut self,
        store: &BS,
        ids: &[(DealID, AllocationID)],
    ) -> Result<(), ActorError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut map = self.load_allocation_ids(store)?;
        for &(deal, alloc) in ids {
            map.set(u64_key(deal), alloc).map_err(store_error)?;
        }
        self.pending_deal_allocation_ids = map.flush().map_err(store_error)?;
        Ok(())
    }

    pub(super) fn remove_allocation_id<BS: Blockstore>(
        &mut self,
        store: &BS,
        id: DealID,
    ) -> Result<Option<AllocationID>, ActorError> {
        let mut map = self.load_allocation_ids(store)?;
        let removed = map.delete(&u64_key(id)).map_err(store_error)?.map(|(_, v)| v);
        if removed.is_some() {
            self.pending_deal_allocation_ids = map.flush().map_err(store_error)?;
        }
        Ok(removed)
    }

    // ---- provider sectors ----

    fn load_provider_sectors<'a, BS: Blockstore>(
        &self,
        store: &'a BS,
    ) -> Result<CidMap<'a, BS>, ActorError> {
        Hamt::load_with_bit_width(&self.provider_sectors, store, HAMT_BIT_WIDTH)
            .map_err(store_error)
    }

    fn load_sector_deals<'a, BS: Blockstore>(
        providers: &CidMap<'a, BS>,
        store: &'a BS,
        provider: ActorID,
    ) -> Result<SectorDealsMap<'a, BS>, ActorError> {
        match providers.get(&u64_key(provider)).map_err(store_error)? {
            Some(root) => Hamt::load_with_bit_width(root, store, HAMT_BIT_WIDTH),
            None => Ok(Hamt::new_with_bit_width(store, HAMT_BIT_WIDTH)),
        }
        .map_err(store_error)
    }

    fn save_sector_deals<BS: Blockstore>(
        providers: &mut CidMap<'_, BS>,
        provider: ActorID,
        deals: &mut SectorDealsMap<'_, BS>,
    ) -> Result<(), ActorError> {
        if deals.is_empty() {
            providers.delete(&u64_key(provider)).map_err(store_error)?;
        } else {
            let root = deals.flush().map_err(store_error)?;
            providers.set(u64_key(provider), root).map_err(store_error)?;
        }
        Ok(())
    }

    /// Adds deals to a provider's sectors (merged with what is there, sorted, deduplicated).
    pub(super) fn put_sector_deals<BS: Blockstore>(
        &mut self,
        store: &BS,
        provider: ActorID,
        sectors: &[(SectorNumber, Vec<DealID>)],
    ) -> Result<(), ActorError> {
        if sectors.iter().all(|(_, deals)| deals.is_empty()) {
            return Ok(());
        }
        let mut providers = self.load_provider_sectors(store)?;
        let mut deals = Self::load_sector_deals(&providers, store, provider)?;
        for (sector, new) in sectors {
            if new.is_empty() {
                continue;
            }
            let key = u64_key(*sector);
            let mut all = deals.get(&key).map_err(store_error)?.cloned().unwrap_or_default();
            all.extend(new);
            all.sort_unstable();
            all.dedup();
            deals.set(key, all).map_err(store_error)?;
        }
        Self::save_sector_deals(&mut providers, provider, &mut deals)?;
        self.provider_sectors = providers.flush().map_err(store_error)?;
        Ok(())
    }

    /// Removes the listed sectors of a provider; returns their deals.
    pub(super) fn pop_sector_deals<BS: Blockstore>(
        &mut self,
        store: &BS,
        provider: ActorID,
        sectors: impl Iterator<Item = SectorNumber>,
    ) -> Result<Vec<DealID>, ActorError> {
        let mut providers = self.load_provider_sectors(store)?;
        let mut deals = Self::load_sector_deals(&providers, store, provider)?;
        let mut popped = Vec::new();
        for sector in sectors {
            if let Some((_, ids)) = deals.delete(&u64_key(sector)).map_err(store_error)? {
                popped.extend(ids);
            }
        }
        if !popped.is_empty() {
            Self::save_sector_deals(&mut providers, provider, &mut deals)?;
            self.provider_sectors = providers.flush().map_err(store_error)?;
        }
        Ok(popped)
    }

    /// Drops finished deals from their providers' sectors (deals not found are ignored).
    pub(super) fn remove_sector_deals<BS: Blockstore>(
        &mut self,
        store: &BS,
        remove: &ProviderSectorDeals,
    ) -> Result<(), ActorError> {
        if remove.is_empty() {
            return Ok(());
        }
        let mut providers = self.load_provider_sectors(store)?;
        for (&provider, sectors) in remove {
            let mut deals = Self::load_sector_deals(&providers, store, provider)?;
            for (&sector, gone) in sectors {
                let key = u64_key(sector);
                let Some(ids) = deals.get(&key).map_err(store_error)?.cloned() else { continue };
                let left: Vec<DealID> = ids.into_iter().filter(|id| !gone.contains(id)).collect();
                if left.is_empty() {
                    deals.delete(&key).map_err(store_error)?;
                } else {
                    deals.set(key, left).map_err(store_error)?;
                }
            }
            Self::save_sector_deals(&mut providers, provider, &mut deals)?;
        }
        self.provider_sectors = providers.flush().map_err(store_error)?;
        Ok(())
    }

    /// The deals of each of a provider's sectors.
    pub fn sector_deals<BS: Blockstore>(
        &self,
        store: &BS,
        provider: ActorID,
        sector: SectorNumber,
    ) -> Result<Vec<DealID>, ActorError> {
        let providers = self.load_provider_sectors(store)?;
        let deals = Self::load_sector_deals(&providers, store, provider)?;
        Ok(deals.get(&u64_key(sector)).map_err(store_error)?.cloned().unwrap_or_default())
    }
}
