//! Chain data → Ethereum wire types (`alloy-rpc-types-eth`): headers, blocks, transactions,
//! receipts and logs. One function per concept; every method file builds its answers here.
//!
//! * **Blocks.** A tipset is a block ([`block`], [`header`]): hash = tipset-key CID digest,
//!   `baseFeePerGas` = the fee its messages paid, `logsBloom` = the stored bloom, gas limit
//!   [`BLOCK_GAS_LIMIT`]. Fields Filecoin has no equivalent for (miner, state and receipts roots,
//!   difficulty, nonce, mix hash) are zero; `transactionsRoot` is the empty-trie root of an
//!   empty block and zero otherwise, as in Lotus.
//! * **Transactions** ([`transaction`]). A message with a delegated signature is the Ethereum
//!   transaction it carries (type 2 or legacy, with its signature and chain id). A native (f1)
//!   message is presented as an EIP-1559 transaction with a zero signature and the CID digest as
//!   its hash (spec §2.6): `input` is the calldata of an `InvokeContract`, the initcode of an EAM
//!   `CreateExternal` (with `to` null), and otherwise `handle_filecoin_method(uint64 method,
//!   uint64 codec, bytes params)`'s ABI encoding behind [`HANDLE_FILECOIN_METHOD_SELECTOR`].
//!   Mined transactions carry `gasPrice` = the effective gas price (total fee ÷ gas used), pending
//!   EIP-1559 ones their fee cap (as Geth does).
//! * **Addresses** ([`eth_address`], Lotus's `lookupEthAddress`): an f410 address is its 20 bytes;
//!   anything else is resolved to an actor, which shows its f410 address if it has one and its
//!   masked ID otherwise. A recipient that cannot be resolved is [`UNRESOLVED_RECIPIENT`].
//! * **Receipts** ([`receipt`]): `status` from the exit code, `gasUsed` in Filecoin gas,
//!   `cumulativeGasUsed` summed over the block (Lotus reports 0), `contractAddress` from the EAM's
//!   return, the message's logs with block-relative indices and their bloom.

use address_mapping::{filecoin_to_eth, is_masked_id, masked_id_address};
use alloy_consensus::{
    EMPTY_OMMER_ROOT_HASH, EMPTY_ROOT_HASH, Eip658Value, ReceiptEnvelope, ReceiptWithBloom, Signed,
    Transaction as _, TxEip1559, TxEnvelope, TxType, transaction::Recovered,
};
use alloy_primitives::{
    Address as EthAddress, B64, B256, Bloom, Bytes, LogData, Signature, TxKind, U256, address,
};
use alloy_rpc_types_eth::{Block, BlockTransactions, Header, Log, Transaction, TransactionReceipt};
use alloy_sol_types::SolValue;
use chain::eth_tx::{eth_hash_from_cid, eth_transaction_from_message};
use chain::logs::accrue_bloom;
use chain::message::SigType;
use chain::{IndexedLog, SignedMessage, Tipset};
use evm_actor::methods::{EAM_CREATE_EXTERNAL_METHOD, EamReturn, INVOKE_CONTRACT_METHOD};
use fvm_ipld_encoding::BytesDe;
use fvm_shared::address::{Address, Payload};
use fvm_shared::bigint::{BigInt, Sign};
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::receipt::Receipt;

use super::RpcContext;
use crate::error::{RpcError, RpcResult};

/// `gasLimit` of every block: one Filecoin block's gas limit (10 billion).
pub const BLOCK_GAS_LIMIT: u64 = chain::basefee::BLOCK_GAS_LIMIT;

/// `to` of a native message whose recipient does not resolve to an actor (Lotus's sentinel).
pub const UNRESOLVED_RECIPIENT: EthAddress = address!("ff0000000000000000000000ffffffffffffffff");

/// Selector of `handle_filecoin_method(uint64,uint64,bytes)`, the `input` of native messages
/// that are neither EVM calls nor deployments.
pub const HANDLE_FILECOIN_METHOD_SELECTOR: [u8; 4] = [0x86, 0x8e, 0x10, 0xc4];

/// IPLD codec of DAG-CBOR params in `handle_filecoin_method`'s `codec` argument.
const CBOR_CODEC: u64 = 0x51;

/// The 0x address under which `address` appears at `tipset`'s state (Lotus's
/// `lookupEthAddress`); `None` when it names no actor and is not an ID address.
pub fn eth_address(
    ctx: &RpcContext,
    address: &Address,
    tipset: &Tipset,
) -> RpcResult<Option<EthAddress>> {
    if let Some(eth) = f410_eth_address(address) {
        return Ok(Some(eth));
    }
    let actor = ctx.node.state_get_actor(address, tipset).map_err(RpcError::from)?;
    Ok(match actor {
        Some((id, state)) => Some(
            state
                .delegated_address
                .as_ref()
                .and_then(f410_eth_address)
                .unwrap_or_else(|| masked_id_address(id)),
        ),
        None => address.id().ok().map(masked_id_address),
    })
}

/// The 20 bytes of an f410 address (not a masked ID in disguise).
fn f410_eth_address(address: &Address) -> Option<EthAddress> {
    if !matches!(address.payload(), Payload::Delegated(_)) {
        return None;
    }
    filecoin_to_eth(address).ok().filter(|eth| !is_masked_id(eth))
}

/// Where a mined message sits, and the gas it used (for its effective gas price).
#[derive(Clone, Copy, Debug)]
struct Inclusion<'a> {
    tipset: &'a Tipset,
    index: usize,
    gas_used: u64,
}

/// A message as an Ethereum transaction; `block` is its tipset and index when it is mined,
/// `None` while it is pending.
pub fn transaction(
    ctx: &RpcContext,
    message: &SignedMessage,
    block: Option<(&Tipset, usize)>,
) -> RpcResult<Transaction> {
    let inclusion = match block {
        Some((tipset, index)) => {
            let receipts = ctx.node.chain_get_receipts(tipset).map_err(RpcError::from)?;
            let gas_used = receipts.get(index).map_or(0, |r| r.gas_used);
            Some(Inclusion { tipset, index, gas_used })
        }
        None => None,
    };
    transaction_at(ctx, message, inclusion)
}

/// [`transaction`] once the gas the message used is known (blocks and receipts load the
/// tipset's receipts once for all their transactions).
fn transaction_at(
    ctx: &RpcContext,
    message: &SignedMessage,
    inclusion: Option<Inclusion<'_>>,
) -> RpcResult<Transaction> {
    let inner = match inclusion {
        Some(at) => {
            let hash = at.tipset.eth_hashes.get(at.index).copied();
            recovered_transaction(ctx, message, at.tipset, hash)?
        }
        None => recovered_transaction(ctx, message, &ctx.node.chain_head(), None)?,
    };
    let effective_gas_price = match inclusion {
        Some(at) => Some(effective_gas_price(at.tipset.fees.get(at.index), at.gas_used)),
        // Legacy transactions carry their gas price already.
        None => inner.gas_price().is_none().then(|| inner.max_fee_per_gas()),
    };
    Ok(Transaction {
        inner,
        block_hash: inclusion.map(|at| at.tipset.hash),
        block_number: inclusion.map(|at| block_number(at.tipset)),
        transaction_index: inclusion.map(|at| at.index as u64),
        effective_gas_price,
        block_timestamp: None,
    })
}

/// The signed transaction a message is, with its sender; addresses resolve at `state`'s state.
/// `hash` is the message's transaction hash when already known.
fn recovered_transaction(
    ctx: &RpcContext,
    message: &SignedMessage,
    state: &Tipset,
    hash: Option<B256>,
) -> RpcResult<Recovered<TxEnvelope>> {
    if message.signature.sig_type == SigType::Delegated {
        match (
            eth_transaction_from_message(message, ctx.chain_id()),
            filecoin_to_eth(&message.message.from),
        ) {
            (Ok(envelope), Ok(from)) => return Ok(Recovered::new_unchecked(envelope, from)),
            // Verified when it entered the pool, so this is not expected; show it as native.
            (Err(err), _) => tracing::warn!(target: "fevm::rpc", %err, "delegated message"),
            (_, Err(err)) => tracing::warn!(target: "fevm::rpc", %err, "delegated sender"),
        }
    }
    let msg = &message.message;
    let hash = hash.unwrap_or_else(|| eth_hash_from_cid(&message.cid()));
    let (input, deploy) = native_input(msg);
    let to = if deploy {
        TxKind::Create
    } else {
        TxKind::Call(eth_address(ctx, &msg.to, state)?.unwrap_or(UNRESOLVED_RECIPIENT))
    };
    let from = eth_address(ctx, &msg.from, state)?.unwrap_or(UNRESOLVED_RECIPIENT);
    let tx = TxEip1559 {
        chain_id: ctx.chain_id(),
        nonce: msg.sequence,
        gas_limit: msg.gas_limit,
        max_fee_per_gas: to_u128(&msg.gas_fee_cap),
        max_priority_fee_per_gas: to_u128(&msg.gas_premium),
        to,
        value: to_u256(&msg.value),
        access_list: Default::default(),
        input,
    };
    let signature = Signature::new(U256::ZERO, U256::ZERO, false);
    let envelope = TxEnvelope::Eip1559(Signed::new_unchecked(tx, signature, hash));
    Ok(Recovered::new_unchecked(envelope, from))
}

/// `input` of a native message, and whether it is a deployment (spec §2.6).
fn native_input(msg: &Message) -> (Bytes, bool) {
    let params = msg.params.bytes();
    if msg.to == Address::new_id(evm_actor::methods::EAM_ACTOR_ID)
        && msg.method_num == EAM_CREATE_EXTERNAL_METHOD
        && let Some(initcode) = cbor_byte_string(params)
    {
        return (initcode, true);
    }
    if msg.method_num == INVOKE_CONTRACT_METHOD {
        if params.is_empty() {
            return (Bytes::new(), false);
        }
        if let Some(calldata) = cbor_byte_string(params) {
            return (calldata, false);
        }
    }
    let codec = if params.is_empty() { 0 } else { CBOR_CODEC };
    let args = (msg.method_num, codec, Bytes::copy_from_slice(params)).abi_encode_params();
    let mut input = Vec::with_capacity(4 + args.len());
    input.extend_from_slice(&HANDLE_FILECOIN_METHOD_SELECTOR);
    input.extend_from_slice(&args);
    (input.into(), false)
}

/// The content of `params` when it is exactly one CBOR byte string.
fn cbor_byte_string(params: &[u8]) -> Option<Bytes> {
    fvm_ipld_encoding::from_slice::<BytesDe>(params).ok().map(|b| Bytes::from(b.into_vec()))
}

/// The receipt of message `index` of `tipset`, given the tipset's receipts and logs.
pub fn receipt(
    ctx: &RpcContext,
    tipset: &Tipset,
    index: usize,
    message: &SignedMessage,
    receipts: &[Receipt],
    logs: &[IndexedLog],
) -> RpcResult<TransactionReceipt> {
    let Some(fvm_receipt) = receipts.get(index) else {
        return Err(RpcError::internal(format!(
            "no receipt for message {index} of tipset {}",
            tipset.height()
        )));
    };
    let gas_used = fvm_receipt.gas_used;
    let cumulative_gas_used =
        receipts.iter().take(index + 1).fold(0u64, |sum, r| sum.saturating_add(r.gas_used));
    let at = Inclusion { tipset, index, gas_used };
    let tx = transaction_at(ctx, message, Some(at))?;
    let logs: Vec<Log> =
        logs.iter().filter(|l| l.message_index as usize == index).map(|l| log(tipset, l)).collect();
    let mut logs_bloom = Bloom::default();
    for l in &logs {
        accrue_bloom(&mut logs_bloom, &l.inner.address, l.inner.topics());
    }
    let success = fvm_receipt.exit_code.is_success();
    let to = tx.inner.to();
    let contract_address = if to.is_none() && success {
        fvm_ipld_encoding::from_slice::<EamReturn>(fvm_receipt.return_data.bytes())
            .ok()
            .map(|ret| EthAddress::from(ret.eth_address))
    } else {
        None
    };
    let consensus = ReceiptWithBloom {
        receipt: alloy_consensus::Receipt {
            status: Eip658Value::Eip658(success),
            cumulative_gas_used,
            logs,
        },
        logs_bloom,
    };
    let inner = match tx.inner.tx_type() {
        TxType::Legacy => ReceiptEnvelope::Legacy(consensus),
        _ => ReceiptEnvelope::Eip1559(consensus),
    };
    Ok(TransactionReceipt {
        inner,
        transaction_hash: *tx.inner.tx_hash(),
        transaction_index: Some(index as u64),
        block_hash: Some(tipset.hash),
        block_number: Some(block_number(tipset)),
        gas_used,
        effective_gas_price: effective_gas_price(tipset.fees.get(index), gas_used),
        blob_gas_used: None,
        blob_gas_price: None,
        from: tx.inner.signer(),
        to,
        contract_address,
    })
}

/// The receipts of every message of `tipset`, in order.
pub fn block_receipts(ctx: &RpcContext, tipset: &Tipset) -> RpcResult<Vec<TransactionReceipt>> {
    let node = &ctx.node;
    let messages = node.chain_get_messages(tipset).map_err(RpcError::from)?;
    let receipts = node.chain_get_receipts(tipset).map_err(RpcError::from)?;
    let logs = node.chain_get_logs(tipset).map_err(RpcError::from)?;
    messages
        .iter()
        .enumerate()
        .map(|(index, message)| receipt(ctx, tipset, index, message, &receipts, &logs))
        .collect()
}

/// A log of `tipset`; its transaction hash is the hash of the message that emitted it.
pub fn log(tipset: &Tipset, log: &IndexedLog) -> Log {
    let message_index = log.message_index as usize;
    Log {
        inner: alloy_primitives::Log {
            address: log.address,
            data: LogData::new_unchecked(log.topics.clone(), log.data.clone()),
        },
        block_hash: Some(tipset.hash),
        block_number: Some(block_number(tipset)),
        block_timestamp: Some(tipset.timestamp()),
        transaction_hash: tipset.eth_hashes.get(message_index).copied(),
        transaction_index: Some(u64::from(log.message_index)),
        log_index: Some(u64::from(log.log_index)),
        removed: false,
    }
}

/// The header of `tipset` (what `newHeads` sends; `size` is left out).
pub fn header(tipset: &Tipset) -> Header {
    let transactions_root = if tipset.messages.is_empty() { EMPTY_ROOT_HASH } else { B256::ZERO };
    Header {
        hash: tipset.hash,
        inner: alloy_consensus::Header {
            parent_hash: tipset.parent_hash,
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: EthAddress::ZERO,
            state_root: B256::ZERO,
            transactions_root,
            receipts_root: B256::ZERO,
            logs_bloom: tipset.bloom,
            difficulty: U256::ZERO,
            number: block_number(tipset),
            gas_limit: BLOCK_GAS_LIMIT,
            gas_used: tipset.gas_used,
            timestamp: tipset.timestamp(),
            extra_data: Bytes::new(),
            mix_hash: B256::ZERO,
            nonce: B64::ZERO,
            base_fee_per_gas: Some(u64::try_from(tipset.base_fee().atto()).unwrap_or(u64::MAX)),
            ..Default::default()
        },
        total_difficulty: Some(U256::ZERO),
        size: None,
    }
}

/// `tipset` as a block, with full transaction objects or their hashes. `size` is the encoded
/// header plus the messages' bytes on chain.
pub fn block(ctx: &RpcContext, tipset: &Tipset, full: bool) -> RpcResult<Block> {
    let node = &ctx.node;
    let messages = node.chain_get_messages(tipset).map_err(RpcError::from)?;
    let header_len = fvm_ipld_encoding::to_vec(&tipset.header).map_or(0, |b| b.len());
    let size = messages.iter().fold(header_len, |sum, m| sum.saturating_add(m.chain_length()));
    let transactions = if full {
        let receipts = node.chain_get_receipts(tipset).map_err(RpcError::from)?;
        let txs = messages
            .iter()
            .enumerate()
            .map(|(index, message)| {
                let gas_used = receipts.get(index).map_or(0, |r| r.gas_used);
                transaction_at(ctx, message, Some(Inclusion { tipset, index, gas_used }))
            })
            .collect::<RpcResult<Vec<_>>>()?;
        BlockTransactions::Full(txs)
    } else {
        BlockTransactions::Hashes(tipset.eth_hashes.clone())
    };
    let mut header = header(tipset);
    header.size = Some(U256::from(size));
    Ok(Block { header, uncles: Vec::new(), transactions, withdrawals: None })
}

/// The block number of a tipset (heights are never negative).
pub fn block_number(tipset: &Tipset) -> u64 {
    u64::try_from(tipset.height()).unwrap_or_default()
}

/// Total fee ÷ gas used, in attoFIL per gas; 0 when no gas was used.
pub fn effective_gas_price(fee: Option<&TokenAmount>, gas_used: u64) -> u128 {
    match fee {
        Some(fee) if gas_used > 0 => big_to_u128(&(fee.atto() / BigInt::from(gas_used))),
        _ => 0,
    }
}

/// A token amount as a 256-bit quantity (negative → 0, saturating).
pub fn to_u256(amount: &TokenAmount) -> U256 {
    let (sign, bytes) = amount.atto().to_bytes_be();
    match sign {
        Sign::Minus => U256::ZERO,
        _ if bytes.len() > 32 => U256::MAX,
        _ => U256::from_be_slice(&bytes),
    }
}

/// A token amount as a 128-bit quantity (negative → 0, saturating).
pub fn to_u128(amount: &TokenAmount) -> u128 {
    big_to_u128(amount.atto())
}

fn big_to_u128(value: &BigInt) -> u128 {
    match value.sign() {
        Sign::Minus => 0,
        _ => u128::try_from(value).unwrap_or(u128::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_encoding::RawBytes;

    fn message(to: Address, method: u64, params: Vec<u8>) -> Message {
        Message {
            version: 0,
            from: Address::new_id(1001),
            to,
            sequence: 0,
            value: TokenAmount::default(),
            method_num: method,
            params: RawBytes::new(params),
            gas_limit: 1,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        }
    }

    #[test]
    fn native_input_follows_lotus_rules() {
        let contract = Address::new_id(1234);
        // InvokeContract with a CBOR byte string: the raw calldata.
        let (input, deploy) =
            native_input(&message(contract, INVOKE_CONTRACT_METHOD, vec![0x43, 1, 2, 3]));
        assert_eq!((input.to_vec(), deploy), (vec![1, 2, 3], false));
        // InvokeContract without params: empty input.
        let (input, _) = native_input(&message(contract, INVOKE_CONTRACT_METHOD, vec![]));
        assert!(input.is_empty());
        // EAM CreateExternal: the initcode, as a deployment.
        let eam = Address::new_id(10);
        let (input, deploy) =
            native_input(&message(eam, EAM_CREATE_EXTERNAL_METHOD, vec![0x42, 0x60, 0x80]));
        assert_eq!((input.to_vec(), deploy), (vec![0x60, 0x80], true));
        // A plain send: handle_filecoin_method(0, 0, "").
        let (input, deploy) = native_input(&message(contract, 0, vec![]));
        let expected =
            [&HANDLE_FILECOIN_METHOD_SELECTOR[..], &(0u64, 0u64, Bytes::new()).abi_encode_params()]
                .concat();
        assert_eq!((input.to_vec(), deploy), (expected, false));
        // InvokeContract with params that are not a byte string: ABI-wrapped with the CBOR codec.
        let (input, _) = native_input(&message(contract, INVOKE_CONTRACT_METHOD, vec![0x82, 1, 2]));
        let args = (INVOKE_CONTRACT_METHOD, CBOR_CODEC, Bytes::from(vec![0x82, 1, 2]));
        assert_eq!(input.get(4..), Some(&args.abi_encode_params()[..]));
        assert_eq!(input.get(..4), Some(&HANDLE_FILECOIN_METHOD_SELECTOR[..]));
        // Trailing bytes after the byte string are not calldata.
        let (input, _) = native_input(&message(contract, INVOKE_CONTRACT_METHOD, vec![0x41, 1, 2]));
        assert_eq!(input.get(..4), Some(&HANDLE_FILECOIN_METHOD_SELECTOR[..]));
    }

    #[test]
    fn effective_gas_price_divides_the_fee() {
        let fee = TokenAmount::from_atto(1_000_001);
        assert_eq!(effective_gas_price(Some(&fee), 1_000), 1_000);
        assert_eq!(effective_gas_price(Some(&fee), 0), 0);
        assert_eq!(effective_gas_price(None, 5), 0);
    }

    #[test]
    fn amounts_saturate() {
        assert_eq!(to_u256(&TokenAmount::from_atto(5)), U256::from(5));
        assert_eq!(to_u256(&TokenAmount::from_atto(-5)), U256::ZERO);
        assert_eq!(to_u128(&TokenAmount::from_atto(BigInt::from(u128::MAX) * 2)), u128::MAX);
    }
}
