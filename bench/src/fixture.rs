//! The contracts every workload runs against, deployed the same way on both nodes with gas
//! limits from each node's own estimate (FEVM charges Filecoin gas: 5.5M–15M for an ERC-20
//! transfer depending on the token's number of holders, where anvil charges ~35k–50k).

use alloy_primitives::{Address, U256};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use anyhow::{Context, Result};
use solidity_fixtures::{Compute, Token, initcode};

use crate::session::{Session, check_status};
use crate::txs::{RECIPIENTS, TxRequest, recipient, sign};

/// The token's supply, all minted to dev account 0 (10^9 tokens of 18 decimals).
fn supply() -> U256 {
    U256::from(10u64).pow(U256::from(27u64))
}

/// What the workloads need to know about a deployed token.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenSetup {
    /// The token.
    pub(crate) token: Address,
    /// Gas limit for one transfer on this node: with `fund`, the largest of a few estimates on
    /// the funded state + 10 % + 30 %; without, one estimate on the fresh token + 10 %.
    pub(crate) transfer_gas: u64,
}

/// Deploys `data` from `key` and returns the contract address.
async fn deploy(session: &mut Session, key: &PrivateKeySigner, data: Vec<u8>) -> Result<Address> {
    let from = key.address();
    let gas = session.estimate(from, None, &data).await.context("estimate deployment")?;
    let nonce = session.nonce(from, "pending").await?;
    let fees = session.fees().await?;
    let tx = sign(key, TxRequest { nonce, to: None, input: data, gas }, fees)?;
    let receipt = session.send_and_wait(&tx).await?;
    let address = receipt["contractAddress"].as_str().context("receipt without contractAddress")?;
    address.parse().with_context(|| format!("contractAddress {address}"))
}

/// Deploys the ERC-20 from dev account 0. With `fund`, gives every other dev account a
/// thousandth of the supply (so each can send transfers) and each of the [`RECIPIENTS`] one
/// unit (so transfers meet a steady state), then sets the transfer gas limit from the node's
/// estimates on that state.
pub(crate) async fn token(
    session: &mut Session,
    keys: &[PrivateKeySigner],
    fund: bool,
) -> Result<TokenSetup> {
    let owner = &keys[0];
    let data = initcode(&Token::BYTECODE, &Token::constructorCall { supply: supply() });
    let token = deploy(session, owner, data).await.context("deploy Token")?;
    let transfer = |to, value| Token::transferCall { to, value }.abi_encode();
    let fresh = session
        .estimate(owner.address(), Some(token), &transfer(recipient(0), U256::from(1u64)))
        .await?;
    if !fund {
        return Ok(TokenSetup { token, transfer_gas: fresh });
    }
    let fees = session.fees().await?;
    let mut nonce = session.nonce(owner.address(), "pending").await?;
    let share = supply() / U256::from(1000u64);
    let grants = keys[1..].iter().map(|k| (k.address(), share));
    let dust = (0..RECIPIENTS).map(|i| (recipient(i), U256::from(1u64)));
    let mut txs = Vec::new();
    for (to, value) in grants.chain(dust) {
        // Three times the fresh-token estimate covers the growth to a few hundred holders.
        let request =
            TxRequest { nonce, to: Some(token), input: transfer(to, value), gas: fresh * 3 };
        txs.push(sign(owner, request, fees)?);
        nonce += 1;
    }
    for tx in &txs {
        session.send(tx).await?;
    }
    session.wait_receipts(&txs).await.context("fund the senders and recipients")?;
    // The dearest of a few sample transfers on the funded state, plus 30 %: the cost varies
    // with where a key sits in the storage trie.
    let mut transfer_gas = 0;
    for i in 0..8 {
        let data = transfer(recipient(i * 25), U256::from(1u64));
        transfer_gas =
            transfer_gas.max(session.estimate(keys[1].address(), Some(token), &data).await?);
    }
    Ok(TokenSetup { token, transfer_gas: transfer_gas * 13 / 10 })
}

/// Deploys the compute-loop contract from dev account 0.
pub(crate) async fn compute(session: &mut Session, keys: &[PrivateKeySigner]) -> Result<Address> {
    deploy(session, &keys[0], Compute::BYTECODE.to_vec()).await.context("deploy Compute")
}

/// Confirms a receipt body by hash is a success (setup sanity checks outside timing).
pub(crate) async fn confirm(session: &mut Session, tx: &crate::txs::SignedTx) -> Result<()> {
    let receipt = crate::rpc::result_of(&session.client.post(&tx.receipt_body).await?)?;
    if receipt.is_null() {
        anyhow::bail!("{}: no receipt for {}", session.kind().name(), tx.hash);
    }
    check_status(&receipt, tx.hash, session.kind())
}
