//! Workload 5 in-process: one fevm tipset of N pre-signed ERC-20 transfers, executed and
//! committed, through the chain crate's API (the budget's "10,000 transfers under 1 s").
//!
//! In-process because the `fevm` command has no flag for `ChainConfig::tipset_gas_limit`:
//! 10,000 transfers need far more than one 10B-gas block (5.5M gas each on a fresh token,
//! ~14M at the 200 holders the setup creates), and one block is what the command mines. The
//! tipset limit here is N × the transfer gas limit. The state is the same as over RPC: the
//! ten dev accounts and [`RECIPIENTS`] holders. The measurement is `DevNode::mine(1)` with
//! every transfer already admitted to the pool; admission (decode, sender recovery, state
//! checks) is timed apart. No RPC is involved, so there is no anvil figure beside it.

use std::time::{Duration, Instant};

use alloy_primitives::U256;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use anyhow::{Context, Result, bail};
use chain::{ChainConfig, DevApi, DevNode, FullNode, MiningMode};
use solidity_fixtures::{Token, initcode};

use crate::txs::{Fees, RECIPIENTS, TxRequest, recipient, sign, transfers};

/// Gas limit of each transfer: generous (a transfer uses 5.5M–15M as the holders grow), as the
/// in-process node has no cheap estimate; only the tipset limit depends on it.
const TRANSFER_GAS: u64 = 30_000_000;
/// Fee cap 10× the genesis base fee (100,000,000 attoFIL), tip at fevm's floor.
const FEES: Fees = Fees { max_fee: 1_000_000_000, priority: 100_000 };

/// One measured round.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TipsetRound {
    /// Pushing every transfer into the pool.
    pub(crate) admit: Duration,
    /// `mine(1)`: selection, execution, the state flush and the tipset's commit.
    pub(crate) execute_and_commit: Duration,
}

/// A fresh node, a token spread over the dev accounts, `n` transfers admitted and mined in
/// one tipset. Synchronous: call it outside the async runtime.
pub(crate) fn round(keys: &[PrivateKeySigner], n: usize) -> Result<TipsetRound> {
    let messages = n.max(keys.len() + RECIPIENTS) as u64;
    let blocks = (messages * TRANSFER_GAS).div_ceil(chain::basefee::BLOCK_GAS_LIMIT);
    let config = ChainConfig {
        mining: MiningMode::Manual,
        tipset_gas_limit: blocks * chain::basefee::BLOCK_GAS_LIMIT,
        ..ChainConfig::default()
    };
    let node = DevNode::start(config).context("start the in-process node")?;
    let result = measure(&node, keys, n);
    node.shutdown();
    result
}

fn measure(node: &DevNode, keys: &[PrivateKeySigner], n: usize) -> Result<TipsetRound> {
    let owner = &keys[0];
    let supply = U256::from(10u64).pow(U256::from(27u64));
    let deploy = initcode(&Token::BYTECODE, &Token::constructorCall { supply });
    let request = TxRequest { nonce: 0, to: None, input: deploy, gas: 1_000_000_000 };
    push(node, &sign(owner, request, FEES)?.raw)?;
    mine_all_ok(node, 1)?;
    // The EAM derives a deployment's address as Ethereum does: from the sender and nonce.
    let token = owner.address().create(0);
    let grants = keys[1..].iter().map(|k| (k.address(), supply / U256::from(1000u64)));
    let dust = (0..RECIPIENTS).map(|i| (recipient(i), U256::from(1u64)));
    let mut nonce = 1;
    for (to, value) in grants.chain(dust) {
        let input = Token::transferCall { to, value }.abi_encode();
        let request = TxRequest { nonce, to: Some(token), input, gas: TRANSFER_GAS };
        push(node, &sign(owner, request, FEES)?.raw)?;
        nonce += 1;
    }
    mine_all_ok(node, keys.len() - 1 + RECIPIENTS)?;

    let mut nonces: Vec<u64> = (0..keys.len()).map(|i| if i == 0 { nonce } else { 0 }).collect();
    let raws: Vec<Vec<u8>> = transfers(keys, &mut nonces, token, TRANSFER_GAS, FEES, n)?
        .into_iter()
        .map(|t| t.raw)
        .collect();

    let started = Instant::now();
    for raw in &raws {
        push(node, raw)?;
    }
    let admit = started.elapsed();
    let started = Instant::now();
    let tipsets = node.mine(1).context("mine the tipset")?;
    let execute_and_commit = started.elapsed();
    check_receipts(node, &tipsets, n)?;
    Ok(TipsetRound { admit, execute_and_commit })
}

fn push(node: &DevNode, raw: &[u8]) -> Result<()> {
    node.mpool_push_eth(raw).map(drop).map_err(|e| anyhow::anyhow!("pool refused a transfer: {e}"))
}

/// Mines one tipset and checks it holds `expected` successful messages.
fn mine_all_ok(node: &DevNode, expected: usize) -> Result<()> {
    let tipsets = node.mine(1).context("mine")?;
    check_receipts(node, &tipsets, expected)
}

fn check_receipts(
    node: &DevNode,
    tipsets: &[std::sync::Arc<chain::Tipset>],
    expected: usize,
) -> Result<()> {
    let tipset = tipsets.first().context("mine returned no tipset")?;
    if tipset.messages.len() != expected {
        bail!("tipset holds {} messages, expected {expected}", tipset.messages.len());
    }
    let receipts = node.chain_get_receipts(tipset).context("receipts")?;
    if let Some((i, r)) = receipts.iter().enumerate().find(|(_, r)| !r.exit_code.is_success()) {
        bail!("message {i} of the tipset failed with exit code {}", r.exit_code);
    }
    Ok(())
}
