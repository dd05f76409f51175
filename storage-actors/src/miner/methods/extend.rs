//! `ExtendSectorExpiration2` (32): a provider commits sectors for longer. Each declaration
//! names a deadline, a partition, the sectors to extend and their new expiration; sectors
//! holding verified data list their verified-registry claims, each kept (its term must reach
//! the new expiration) or dropped (only in the sector's last 30 days, at the cost of the
//! dropped data's quality). Power changes only when claims are dropped; the pledge is not
//! recomputed.
//!
//! As in builtin-actors v18, the declarations are not counted against a bound and the deadline
//! need not be mutable: an extension changes no sector's presence in a proof, only when it
//! leaves, so it cannot disturb a challenge already drawn.

use std::collections::BTreeMap;

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_ipld_bitfield::BitField;
use fvm_shared::bigint::{BigInt, Integer};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::{SectorNumber, SectorSize};
use num_traits::{Signed, Zero};

use super::common::{check_control_caller, load, validate_expiration};
use crate::miner::deadline::{get_partition, set_partition};
use crate::miner::ext::{get_claims, notify_pledge_changed, request_update_power};
use crate::miner::monies::{
    daily_proof_fee, daily_proof_fee_adjust, qa_power_for_sector, qa_power_for_weight,
};
use crate::miner::policy::{END_OF_LIFE_CLAIM_DROP_PERIOD, WPOST_PERIOD_DEADLINES};
use crate::miner::records::{PowerPair, SIMPLE_QA_POWER, SectorOnChainInfo};
use crate::miner::sectors::{ErrorContext, Sectors, amt_error};
use crate::miner::state::MinerState;
use crate::miner::types::{ExpirationExtension2, ExtendSectorExpiration2Params};
use crate::plumbing::{ret_none, save_state};

/// The verified space a sector's claims account for, summed over its declarations: `listed`
/// (every claim named, kept or dropped) must equal the sector's current verified space, and
/// `kept` becomes its verified space after the extension.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ClaimSpace {
    listed: u64,
    kept: u64,
}

/// One declaration once its claims are checked: every sector to extend, with or without claims.
#[derive(Clone, Debug)]
struct Extension {
    deadline: u64,
    partition: u64,
    sectors: BitField,
    new_expiration: ChainEpoch,
}

/// `ExtendSectorExpiration2`.
pub fn extend_sector_expiration2(
    rt: &mut dyn Runtime,
    params: ExtendSectorExpiration2Params,
) -> ActorResult {
    // Claims are checked with verifreg before anything else, as upstream orders it.
    let (extensions, claim_space) = validate_declarations(rt, params.extensions)?;
    let now = rt.machine().epoch;
    let circulating_supply = rt.total_fil_circ_supply()?;

    let (mut state, info): (MinerState, _) = load(rt)?;
    check_control_caller(rt, &info)?;
    let store = rt.store();
    let mut deadlines = state.load_deadlines(&store)?;
    let mut sectors = Sectors::load(&store, &state.sectors)?;

    // Deadlines in the order they first appear, each with its declarations in order.
    let mut order: Vec<u64> = Vec::new();
    let mut by_deadline: BTreeMap<u64, Vec<&Extension>> = BTreeMap::new();
    for extension in &extensions {
        let entry = by_deadline.entry(extension.deadline).or_default();
        if entry.is_empty() {
            order.push(extension.deadline);
        }
        entry.push(extension);
    }

    let mut power_delta = PowerPair::zero();
    let mut pledge_delta = TokenAmount::zero();
    for index in order {
        let declarations = by_deadline.remove(&index).unwrap_or_default();
        let mut deadline = deadlines.load_deadline(&store, index)?;
        let mut partitions = deadline.partitions_amt(&store)?;
        let quant = state.quant_spec_for_deadline(index);
        let mut deadline_power = PowerPair::zero();
        let mut deadline_fee = TokenAmount::zero();
        // Partitions whose sectors now expire at each new epoch (duplicates are harmless).
        let mut by_epoch: BTreeMap<ChainEpoch, Vec<u64>> = BTreeMap::new();

        for decl in declarations {
            let mut partition = get_partition(&partitions, decl.partition)?.ok_or_else(|| {
                ActorError::not_found(format!(
                    "no such partition {} in deadline {index}",
                    decl.partition
                ))
            })?;
            let old_sectors =
                sectors.load_sectors(&decl.sectors).context("failed to load sectors")?;
            let new_sectors = old_sectors
                .iter()
                .map(|sector| {
                    extend_sector(
                        now,
                        &circulating_supply,
                        decl.new_expiration,
                        sector,
                        info.sector_size,
                        &claim_space,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            sectors.store(new_sectors.clone())?;
            let (power, pledge, fee) = partition
                .replace_sectors(&store, &old_sectors, &new_sectors, info.sector_size, quant)
                .context(format_args!(
                    "failed to replace sector expirations at deadline {index} partition {}",
                    decl.partition
                ))?;
            deadline_power += &power;
            // Zero while pledge is not recomputed on extension; carried through regardless.
            pledge_delta += &pledge;
            // Non-zero for sectors that owed no fee before FIP-0100, or that dropped claims.
            deadline_fee += &fee;
            set_partition(&mut partitions, decl.partition, partition)?;
            by_epoch.entry(decl.new_expiration).or_default().push(decl.partition);
        }

        deadline.live_power += &deadline_power;
        deadline.daily_fee += &deadline_fee;
        power_delta += &deadline_power;
        deadline.partitions = partitions
            .flush()
            .map_err(amt_error(format_args!("failed to save partitions for deadline {index}")))?;
        for (epoch, indexes) in by_epoch {
            deadline.add_expiration_partitions(&store, epoch, &indexes, quant).context(
                format_args!(
                    "failed to add expiration partitions to deadline {index} epoch {epoch}"
                ),
            )?;
        }
        deadlines.update_deadline(&store, index, &deadline)?;
    }

    state.sectors = sectors.flush()?;
    state.save_deadlines(&store, deadlines)?;
    save_state(rt, &state)?;

    // Negative only when claims were dropped.
    request_update_power(rt, &power_delta)?;
    notify_pledge_changed(rt, &pledge_delta)?;
    ret_none()
}

/// Checks the declarations' deadlines and every listed claim (through verifreg `GetClaims`),
/// and sums each sector's claimed space.
fn validate_declarations(
    rt: &mut dyn Runtime,
    declarations: Vec<ExpirationExtension2>,
) -> Result<(Vec<Extension>, BTreeMap<SectorNumber, ClaimSpace>), ActorError> {
    let provider = rt.message().receiver;
    let mut claim_space: BTreeMap<SectorNumber, ClaimSpace> = BTreeMap::new();
    for decl in &declarations {
        if decl.deadline >= WPOST_PERIOD_DEADLINES {
            return Err(ActorError::illegal_argument(format!(
                "deadline {} not in range 0..{WPOST_PERIOD_DEADLINES}",
                decl.deadline
            )));
        }
        for sc in &decl.sectors_with_claims {
            let ids: Vec<_> = sc.maintain_claims.iter().chain(&sc.drop_claims).copied().collect();
            let claims = get_claims(rt, &ids)
                .context(format_args!("failed to get claims for sector {}", sc.sector_number))?;
            for (i, claim) in claims.iter().enumerate() {
                let id = ids.get(i).copied().unwrap_or_default();
                if claim.provider != provider {
                    return Err(ActorError::illegal_argument(format!(
                        "failed to validate declaration sector={}, claim={id}, expected claim \
                         provider to be {provider} but found {}",
                        sc.sector_number, claim.provider
                    )));
                }
                if claim.sector != sc.sector_number {
                    return Err(ActorError::illegal_argument(format!(
                        "failed to validate declaration sector={}, claim={id} expected claim \
                         sector number to be {} but found {}",
                        sc.sector_number, sc.sector_number, claim.sector
                    )));
                }
                let kept = i < sc.maintain_claims.len();
                if kept {
                    let term_end = claim.term_start.saturating_add(claim.term_max);
                    if decl.new_expiration > term_end {
                        return Err(ActorError::forbidden(format!(
                            "failed to validate declaration sector={}, claim={id} claim only \
                             allows extension to {term_end} but declared new expiration is {}",
                            sc.sector_number, decl.new_expiration
                        )));
                    }
                }
                let space = claim_space.entry(sc.sector_number).or_default();
                let overflow = || ActorError::illegal_argument("claimed space overflows");
                space.listed = space.listed.checked_add(claim.size.0).ok_or_else(overflow)?;
                if kept {
                    space.kept = space.kept.checked_add(claim.size.0).ok_or_else(overflow)?;
                }
            }
        }
    }
    let extensions = declarations
        .into_iter()
        .map(|decl| {
            let with_claims =
                BitField::try_from_bits(decl.sectors_with_claims.iter().map(|sc| sc.sector_number))
                    .map_err(|_| {
                        ActorError::illegal_argument("sector number out of bitfield range")
                    })?;
            Ok(Extension {
                deadline: decl.deadline,
                partition: decl.partition,
                sectors: &decl.sectors | &with_claims,
                new_expiration: decl.new_expiration,
            })
        })
        .collect::<Result<Vec<_>, ActorError>>()?;
    Ok((extensions, claim_space))
}

/// A sector's info after extending it to `new_expiration`: weights rebased to now and its
/// daily fee rescaled with its QA power (or set, for a sector that predates the fee).
fn extend_sector(
    now: ChainEpoch,
    circulating_supply: &TokenAmount,
    new_expiration: ChainEpoch,
    sector: &SectorOnChainInfo,
    sector_size: SectorSize,
    claim_space: &BTreeMap<SectorNumber, ClaimSpace>,
) -> Result<SectorOnChainInfo, ActorError> {
    validate_extended_expiration(now, new_expiration, sector)?;
    let mut extended = if sector.flags & SIMPLE_QA_POWER != 0 {
        extend_simple_qa_sector(now, new_expiration, sector, claim_space)?
    } else {
        extend_legacy_sector(now, new_expiration, sector)?
    };
    let new_qa = qa_power_for_weight(
        sector_size,
        extended.expiration - extended.power_base_epoch,
        &extended.verified_deal_weight,
    );
    if extended.daily_fee.is_zero() {
        // A sector from before FIP-0100 starts paying; the devnet runs past the grace period.
        extended.daily_fee = daily_proof_fee(circulating_supply, &new_qa);
    } else {
        let old_qa = qa_power_for_sector(sector_size, sector);
        if old_qa != new_qa {
            extended.daily_fee = daily_proof_fee_adjust(&sector.daily_fee, &old_qa, &new_qa);
        }
    }
    Ok(extended)
}

/// The new expiration must not shorten the sector, and must respect the usual lifetime limits;
/// a sector past its expiration (waiting for its deadline's cron) cannot be revived.
fn validate_extended_expiration(
    now: ChainEpoch,
    new_expiration: ChainEpoch,
    sector: &SectorOnChainInfo,
) -> Result<(), ActorError> {
    // Every seal proof may be extended in v18, so there is no proof-type check here.
    if sector.expiration < now {
        return Err(ActorError::forbidden(format!(
            "cannot extend expiration for expired sector {} at {}",
            sector.sector_number, sector.expiration
        )));
    }
    if new_expiration < sector.expiration {
        return Err(ActorError::illegal_argument(format!(
            "cannot reduce sector {} expiration to {new_expiration} from {}",
            sector.sector_number, sector.expiration
        )));
    }
    validate_expiration(now, sector.activation, new_expiration, sector.seal_proof)
}

/// The sector's power so far, as a duration that can divide (always positive for a stored
/// sector; a corrupt one is refused rather than divided by zero).
fn power_duration(sector: &SectorOnChainInfo) -> Result<ChainEpoch, ActorError> {
    let duration = sector.expiration - sector.power_base_epoch;
    if duration <= 0 {
        return Err(ActorError::illegal_state(format!(
            "sector {} has power base epoch {} not before its expiration {}",
            sector.sector_number, sector.power_base_epoch, sector.expiration
        )));
    }
    Ok(duration)
}

/// Extends a sector whose QA power is a plain function of its verified space (every sector
/// activated since FIP-0045). The weights are rebased on now, so the quality stays what it was
/// unless claims are dropped, in which case only the kept claims' space counts.
fn extend_simple_qa_sector(
    now: ChainEpoch,
    new_expiration: ChainEpoch,
    sector: &SectorOnChainInfo,
    claim_space: &BTreeMap<SectorNumber, ClaimSpace>,
) -> Result<SectorOnChainInfo, ActorError> {
    let mut extended = sector.clone();
    extended.expiration = new_expiration;
    extended.power_base_epoch = now;
    let new_duration = new_expiration - now;

    if sector.deal_weight.is_positive() {
        // Unverified space × what remains of the old term, so that the quality is unchanged.
        let old_duration = power_duration(sector)?;
        extended.deal_weight =
            &sector.deal_weight * (sector.expiration - now) / BigInt::from(old_duration);
    }

    if sector.verified_deal_weight.is_positive() {
        let old_duration = power_duration(sector)?;
        let old_space = &sector.verified_deal_weight / BigInt::from(old_duration);
        let space = claim_space.get(&sector.sector_number).ok_or_else(|| {
            ActorError::illegal_argument(format!(
                "claim missing from declaration for sector {} with non-zero verified deal \
                 weight {}",
                sector.sector_number, sector.verified_deal_weight
            ))
        })?;
        // Every claim must be named, so that dropping one is always a visible choice.
        if BigInt::from(space.listed) != old_space {
            return Err(ActorError::illegal_argument(format!(
                "declared verified deal space in claims ({}) does not match verified deal \
                 space ({old_space}) for sector {}",
                space.listed, sector.sector_number
            )));
        }
        let dropping = space.listed != space.kept;
        let remaining = sector.expiration - now;
        if dropping && remaining > END_OF_LIFE_CLAIM_DROP_PERIOD {
            return Err(ActorError::forbidden(format!(
                "attempt to drop claims with {remaining} epochs > end of life claim drop \
                 period {END_OF_LIFE_CLAIM_DROP_PERIOD} remaining"
            )));
        }
        extended.verified_deal_weight = BigInt::from(space.kept) * new_duration;
        // Unused since FIP-0098; cleared whenever a verified sector is rewritten.
        extended.expected_day_reward = None;
        extended.expected_storage_pledge = None;
        extended.replaced_day_reward = None;
    }
    Ok(extended)
}

/// Extends a sector activated before simple QA power: its deal weights keep only what remains
/// of their old term (spent space-time is forgotten), rebased on now.
fn extend_legacy_sector(
    now: ChainEpoch,
    new_expiration: ChainEpoch,
    sector: &SectorOnChainInfo,
) -> Result<SectorOnChainInfo, ActorError> {
    let old_duration = BigInt::from(power_duration(sector)?);
    let remaining = sector.expiration - now;
    let mut extended = sector.clone();
    extended.deal_weight = (&sector.deal_weight * remaining).div_floor(&old_duration);
    extended.verified_deal_weight =
        (&sector.verified_deal_weight * remaining).div_floor(&old_duration);
    extended.expiration = new_expiration;
    extended.power_base_epoch = now;
    extended.expected_day_reward = None;
    extended.replaced_day_reward = None;
    extended.expected_storage_pledge = None;
    Ok(extended)
}
