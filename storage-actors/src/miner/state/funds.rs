//! The miner's funds. Its balance always covers, in this order of claim: the vesting table
//! (`locked_funds`), pre-commit deposits and the pledge of its sectors; what is left is
//! "unlocked", and unlocked minus fee debt is "available" (withdrawable, or usable for new
//! deposits and pledge). A miner whose penalties exceed its unlocked funds carries fee debt,
//! which bars it from most methods until repaid.

use filecoin_vm::ActorError;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use num_traits::Zero;

use super::MinerState;
use crate::miner::monies::VestSpec;

fn negative(what: &str, value: &TokenAmount) -> ActorError {
    ActorError::illegal_state(format!("negative {what}: {value}"))
}

impl MinerState {
    /// Adds to (or, negative, releases) the pre-commit deposits.
    pub fn add_pre_commit_deposit(&mut self, amount: &TokenAmount) -> Result<(), ActorError> {
        let total = &self.pre_commit_deposits + amount;
        if total.is_negative() {
            return Err(negative("pre-commit deposit", &total));
        }
        self.pre_commit_deposits = total;
        Ok(())
    }

    /// Adds to (or, negative, releases) the pledge requirement.
    pub fn add_initial_pledge(&mut self, amount: &TokenAmount) -> Result<(), ActorError> {
        let total = &self.initial_pledge + amount;
        if total.is_negative() {
            return Err(negative("initial pledge", &total));
        }
        self.initial_pledge = total;
        Ok(())
    }

    /// Records a penalty as fee debt (paid from vesting and unlocked funds afterwards).
    pub fn apply_penalty(&mut self, penalty: &TokenAmount) -> Result<(), ActorError> {
        if penalty.is_negative() {
            return Err(ActorError::illegal_state(format!("negative penalty {penalty}")));
        }
        self.fee_debt += penalty;
        Ok(())
    }

    /// Unlocks what has vested, then locks `amount` in the vesting table by `spec`; returns
    /// what was unlocked.
    pub fn add_locked_funds<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
        amount: &TokenAmount,
        spec: &VestSpec,
    ) -> Result<TokenAmount, ActorError> {
        if amount.is_negative() {
            return Err(negative("vesting sum", amount));
        }
        let unlocked = self.vesting_funds.add_locked_funds(
            store,
            now,
            amount,
            self.proving_period_start,
            spec,
        )?;
        self.locked_funds -= &unlocked;
        if self.locked_funds.is_negative() {
            return Err(negative("locked funds", &self.locked_funds));
        }
        self.locked_funds += amount;
        Ok(unlocked)
    }

    /// Pays as much fee debt as vesting and unlocked funds allow, the soonest-vesting funds
    /// first. Returns (amount to burn, total unlocked from the vesting table).
    pub fn repay_partial_debt_in_priority_order<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
        balance: &TokenAmount,
    ) -> Result<(TokenAmount, TokenAmount), ActorError> {
        let debt = self.fee_debt.clone();
        let (from_vesting, total_unlocked) =
            self.unlock_vested_and_unvested_funds(store, now, &debt)?;
        if from_vesting > self.fee_debt {
            return Err(ActorError::illegal_state("unlocked more than the debt to repay"));
        }
        let unlocked = self.get_unlocked_balance(balance)?;
        let to_burn = unlocked.min(self.fee_debt.clone());
        self.fee_debt -= &to_burn;
        Ok((to_burn, total_unlocked))
    }

    /// Pays all fee debt from unlocked funds (`USR_INSUFFICIENT_FUNDS` if they do not cover
    /// it); returns the amount to burn.
    pub fn repay_debts(&mut self, balance: &TokenAmount) -> Result<TokenAmount, ActorError> {
        let unlocked = self.get_unlocked_balance(balance)?;
        if unlocked < self.fee_debt {
            return Err(ActorError::new(
                ExitCode::USR_INSUFFICIENT_FUNDS,
                format!("unlocked balance can not repay fee debt ({unlocked} < {})", self.fee_debt),
            ));
        }
        Ok(std::mem::take(&mut self.fee_debt))
    }

    /// Unlocks vested funds, then up to `target` of unvested funds (soonest first). Returns
    /// (unvested unlocked, total unlocked).
    pub fn unlock_vested_and_unvested_funds<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
        target: &TokenAmount,
    ) -> Result<(TokenAmount, TokenAmount), ActorError> {
        if target.is_zero() || self.locked_funds.is_zero() {
            return Ok((TokenAmount::zero(), TokenAmount::zero()));
        }
        let (vested, unvested) =
            self.vesting_funds.unlock_vested_and_unvested_funds(store, now, target)?;
        let total = &vested + &unvested;
        self.locked_funds -= &total;
        if self.locked_funds.is_negative() {
            return Err(negative("locked funds", &self.locked_funds));
        }
        Ok((unvested, total))
    }

    /// Unlocks everything vested before `now`; returns the amount.
    pub fn unlock_vested_funds<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
    ) -> Result<TokenAmount, ActorError> {
        if self.locked_funds.is_zero() {
            return Ok(TokenAmount::zero());
        }
        let unlocked = self.vesting_funds.unlock_vested_funds(store, now)?;
        self.locked_funds -= &unlocked;
        if self.locked_funds.is_negative() {
            return Err(negative("locked funds", &self.locked_funds));
        }
        Ok(unlocked)
    }

    /// Balance not locked by vesting, deposits or pledge (fee debt not subtracted).
    pub fn get_unlocked_balance(&self, balance: &TokenAmount) -> Result<TokenAmount, ActorError> {
        let unlocked =
            balance - &self.locked_funds - &self.pre_commit_deposits - &self.initial_pledge;
        if unlocked.is_negative() {
            return Err(negative("unlocked balance", &unlocked));
        }
        Ok(unlocked)
    }

    /// Unlocked balance less fee debt; negative while the miner is in debt.
    pub fn get_available_balance(&self, balance: &TokenAmount) -> Result<TokenAmount, ActorError> {
        Ok(self.get_unlocked_balance(balance)? - &self.fee_debt)
    }

    /// Checks that no fund total is negative and the balance covers the locked ones.
    pub fn check_balance_invariants(&self, balance: &TokenAmount) -> Result<(), ActorError> {
        for (what, value) in [
            ("pre-commit deposit", &self.pre_commit_deposits),
            ("locked funds", &self.locked_funds),
            ("initial pledge", &self.initial_pledge),
            ("fee debt", &self.fee_debt),
        ] {
            if value.is_negative() {
                return Err(negative(what, value));
            }
        }
        let minimum = &self.pre_commit_deposits + &self.locked_funds + &self.initial_pledge;
        if balance < &minimum {
            return Err(ActorError::illegal_state(format!(
                "balance {balance} below minimum {minimum}"
            )));
        }
        Ok(())
    }
}
