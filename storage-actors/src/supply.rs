//! The circulating supply a node puts in the machine context (the FVM's
//! `total_fil_circ_supply`), read from a state the way Lotus defines it: FIL issued, less what
//! was burnt (f099) and what the storage actors hold locked (miners' pledge in power, escrowed
//! deal funds in the market).
//!
//! A devnet issues FIL only at genesis (to its accounts); the node passes that amount in.

use anyhow::Result;
use filecoin_vm::{BURNT_FUNDS_ACTOR_ID, StateTree};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::econ::TokenAmount;

use crate::market::MarketState;
use crate::power::PowerState;
use crate::{MARKET_ACTOR_ID, POWER_ACTOR_ID};

/// `issued` less burnt and locked FIL at `tree`'s state (never negative).
pub fn circulating_supply<BS: Blockstore + Clone>(
    tree: &StateTree<BS>,
    issued: &TokenAmount,
) -> Result<TokenAmount> {
    let mut supply = issued.clone();
    if let Some(burnt) = tree.get_actor(BURNT_FUNDS_ACTOR_ID)? {
        supply -= burnt.balance;
    }
    // A chain created before these actors were in genesis has neither (or other states).
    if let Some(power) = tree.get_actor(POWER_ACTOR_ID)?
        && let Ok(Some(state)) = tree.store().get_cbor::<PowerState>(&power.state)
    {
        supply -= state.total_pledge_collateral;
    }
    if let Some(market) = tree.get_actor(MARKET_ACTOR_ID)?
        && let Ok(Some(state)) = tree.store().get_cbor::<MarketState>(&market.state)
    {
        supply -= state.total_locked();
    }
    Ok(supply.max(TokenAmount::default()))
}
