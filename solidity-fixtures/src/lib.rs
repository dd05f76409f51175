//! Solidity test contracts for the FEVM devnet, with their compiled artifacts and typed
//! [`alloy_sol_types::sol!`] bindings.
//!
//! The `.sol` sources live in `contracts/`; `compile.sh` compiles them with the pinned solcjs
//! (npm `solc@0.8.37`, optimizer on with 200 runs, `evmVersion` cancun, osaka for `Clz.sol`
//! only) into `artifacts/<Contract>.json`, which are committed: building or testing this crate
//! needs no compiler. Contracts may import the Filecoin Solidity libraries pinned in
//! `compile/package.json`. `artifacts/manifest.json` records the compiler, the settings, a
//! sha256 of every source and of the compile lockfile; the `fresh` integration test fails when a source changed without a
//! recompile.
//!
//! Each contract is a module named after it (e.g. [`Token`]) with
//! - one `<function>Call` struct per function (`SolCall`: `abi_encode`, `abi_decode_returns`),
//!   plus a `<Contract>Calls` enum,
//! - one struct per event (`SolEvent`: `SIGNATURE_HASH`, `decode_log_data`) and per custom
//!   error (`SolError`), plus `<Contract>Events` / `<Contract>Errors` enums,
//! - `constructorCall` when the constructor takes arguments (see [`initcode`]),
//! - `BYTECODE` (initcode) and `DEPLOYED_BYTECODE` (runtime code) statics.
//!
//! [`FIXTURES`] lists every contract with its code, for tests that iterate over all of them.
//!
//! ```
//! use alloy_primitives::{Address, U256};
//! use alloy_sol_types::SolCall;
//! use solidity_fixtures::{initcode, Token};
//!
//! // Deployment data: initcode followed by the ABI-encoded constructor arguments.
//! let deploy = initcode(&Token::BYTECODE, &Token::constructorCall { supply: U256::from(1_000u64) });
//! assert!(deploy.starts_with(&Token::BYTECODE));
//!
//! // Calldata for `transfer(to, 5)`, and decoding of its return value.
//! let call = Token::transferCall { to: Address::repeat_byte(0x11), value: U256::from(5u64) };
//! let calldata = call.abi_encode();
//! assert_eq!(calldata[..4], Token::transferCall::SELECTOR);
//! let ok = Token::transferCall::abi_decode_returns(&U256::from(1u64).to_be_bytes::<32>()).unwrap();
//! assert!(ok);
//! ```
//!
//! # Contracts and the FEVM rules they exercise
//!
//! Section numbers refer to `spec/FEVM.md`.
//!
//! | Contract | Source | What it exercises |
//! |---|---|---|
//! | [`Token`] | `Token.sol` | ERC-20 (`constructor(uint256 supply)` mints to the deployer): storage, `Transfer`/`Approval` logs, custom-error reverts (exit 33 with revert data); the transfer benchmark workload |
//! | [`Counter`] | `Counter.sol` | the smallest stateful contract: SSTORE/SLOAD and one event per write |
//! | [`Events`] | `Events.sol` | §4 LOG0–LOG4 → actor events (`t1`..`t4`, `d`; no `d` entry for empty data; empty LOG0 = event without entries), anonymous events, the 8 KiB value limit (`emitMaxSize` accepted, `emitOverLimit` aborts with 24), events dropped with a reverted frame, logs from several emitters |
//! | [`Reverter`] | `Reverts.sol` | §1.0/§3.1 exit codes: REVERT 33 with `Error(string)`, custom errors, raw and empty data; `Panic` 0x01/0x11/0x12/0x32; INVALID 34; stack overflow 37; memory offset beyond u32 and RETURNDATACOPY out of bounds 38; out of gas 7; storage rolled back by a revert |
//! | [`RevertCatcher`] | `Reverts.sol` | §3.5 revert data returned through CALL: try/catch of `Error`, `Panic` and custom errors, bubbling revert data unchanged, rollback of a reverted callee |
//! | [`Recursive`] | `Recursion.sol` | §3.1 FVM call depth (1024, `probeDepth`), §3.5 reentrancy into the same actor, a revert undoing only the failing levels (`markAll`) |
//! | [`VulnerableBank`], [`GuardedBank`], [`Attacker`] | `Recursion.sol` | §3.5 reentrancy with value transfers: drained vs guarded bank, assertable balances |
//! | [`Factory`], [`Child`], [`RevertingChild`] | `Factory.sol` | §1.6 EAM Create/Create2 address derivation (contract nonce starts at 1: `computeCreateAddress`, `computeCreate2Address`), §3.8 collision → 0, constructor revert data reaching the creator, endowments, raw initcode (`createRaw`/`create2Raw`, e.g. 0xEF-prefixed or oversized code) |
//! | [`Destructible`], [`DestructibleV2`], [`SelfDestructInConstructor`], [`MetamorphicInit`], [`LifecycleFactory`] | `Lifecycle.sol` | §3.6 SELFDESTRUCT: funds to a beneficiary / to itself (not burned) / to a fresh address, still callable in the same message, dead in later ones, self-destruct in a constructor, redeploy refused in the same message, resurrection by CREATE2 (metamorphic redeploy with different code) |
//! | [`Proxy`], [`Implementation`] | `Proxy.sol` | §3.5 DELEGATECALL (`InvokeContractDelegate`): storage and events in the proxy's context, `msg.sender`/`msg.value` preserved, revert data bubbled |
//! | [`Caller`] | `Calls.sol` | §3.5 CALL/STATICCALL/DELEGATECALL to any target (accounts, placeholders, missing f410 / masked-ID addresses, native actors), §3.2 gas 0-with-value / 2300 → 10M, read-only context → 25 |
//! | [`Transient`] | `Transient.sol` | §3.9 TLOAD/TSTORE: per message lifespan, reentrant reads, isolation per contract, rollback on revert, Solidity `transient` variables |
//! | [`MCopy`] | `MCopy.sol` | §3.1 MCOPY with overlapping ranges and zero length |
//! | [`EthPrecompiles`] | `EthPrecompiles.sol` | §2.2 0x01–0x09, KZG 0x0a (empty success on FEVM), BLS12-381 0x0b–0x11, P256VERIFY 0x100; §2 value sent to a precompile, call kinds |
//! | [`FilecoinPrecompiles`] | `FilecoinPrecompiles.sol` | §2.1 resolve_address, lookup_delegated_address, call_actor / call_actor_id (DELEGATECALL only; other kinds refused), get_randomness, FIL to an f1 address through call_actor |
//! | [`FilecoinReceiver`] | `FilecoinPrecompiles.sol` | §1.7 HandleFilecoinMethod: `handle_filecoin_method` (selector 0x868e10c4) records the call and answers `(0, 0x51, CBOR)` or any configured exit code / codec |
//! | [`MinerClient`] | `MinerClient.sol` | A contract-owned storage miner through `MinerAPI`: `CreateMiner` with the contract as owner and a BLS worker it funds with `SendAPI`, then `GetOwner`, `GetSectorSize`, `GetAvailableBalance`, `IsControllingAddress`, `WithdrawBalance` (paid back to the contract as beneficiary), `ChangePeerID`, `GetPeerID` |
//! | [`StorageClient`] | `StorageClient.sol` | Filecoin's storage actors as real contracts reach them, through the `filecoin-solidity-api` library (npm 1.1.3): DataCap's name, symbol, supply, balances and transfers; power's miner counts and raw power; `CreateMiner` with the contract as owner; the market escrow (`AddBalance` with the call's value, `GetBalance`, `WithdrawBalance`) and `GetDealActivation`. Each function returns the actor's exit code |
//! | [`DealClient`] | `DealClient.sol` | A contract storage-deal client (FIP-0044, the DealClient pattern): `makeDealProposal` stores a canonical CBOR `DealProposal` naming a provider and emits Boost's `DealProposalCreate`; `getDealProposal` serves it; `handle_filecoin_method` answers the market's `AuthenticateMessage` (CBOR `true` only for the hash of a proposal it made, as submitted or normalised), records the deal ID from `MarketNotifyDeal` (from f05 only), accepts datacap's FRC-46 `Receive` (from f07 only) and reverts on any other method; escrow through `MarketAPI.addBalance`/`getBalance`; the deal's client, provider, label, term, data commitment, total price, collaterals, verified flag and activation through the `MarketAPI.getDeal*` getters, exit code first |
//! | [`VerifiedClient`] | `VerifiedClient.sol` | A contract that holds and spends datacap through `DataCapAPI`/`VerifRegAPI`: the FRC-46 `Receive` hook (from f07, token type FRC46), balances of any address, `Transfer` (refused by datacap except to the registry), verified allocations by transfer to f06 with CBOR `AllocationRequests` operator data (the new allocation IDs decoded from the registry's `AllocationsResponse`), `IncreaseAllowance`/`Allowance`, allocations from another holder's datacap by `TransferFrom`, and claims read back with `GetClaims` |
//! | [`Env`], [`ConstructorEnv`] | `Env.sol` | §3.3 NUMBER, TIMESTAMP, COINBASE (0), PREVRANDAO, GASLIMIT (10e9), CHAINID, BASEFEE, GASPRICE, ORIGIN/CALLER, GAS, BLOCKHASH, BALANCE/SELFBALANCE; §3.4 EXTCODESIZE/EXTCODEHASH/EXTCODECOPY of any address and of itself during construction; §3.1 BLOBHASH/BLOBBASEFEE undefined (35) |
//! | [`Clz`] | `Clz.sol` | §3.1 CLZ (0x1e), compiled for osaka |
//! | [`Receiver`], [`NonPayable`], [`RevertingReceiver`], [`Sender`] | `Payable.sol` | §3.5 value sends run `receive`/`fallback`; §3.2 `transfer`/`send` (2300 gas) get 10M on FEVM, so a storage-writing `receive` succeeds; rejection by a contract without `receive` or with a reverting one |
//! | [`BigContract`], [`TooBigContract`] | `BigContract.sol` | §3.1 EIP-170: runtime code of exactly 24,576 bytes deploys, 24,577 is refused (exit 16). Generated by `compile/gen-big-contract.mjs` |
//! | [`Compute`] | `Compute.sol` | benchmarks: keccak chain, arithmetic loop, Fibonacci, bulk SSTORE/SLOAD (Filecoin gas for compute and state) |
//!
//! # What Solidity cannot express
//!
//! - CLZ needs `evmVersion` osaka in solc 0.8.37 (it is rejected for cancun), so `Clz.sol` is
//!   compiled for osaka. Its code uses no other post-Cancun opcode.
//! - CALLCODE (removed from Solidity), other undefined opcodes (exit 35), stack underflow (36),
//!   a bad jump destination (39) and code starting with 0xEF (EIP-3541, exit 16) need raw
//!   bytecode: deploy it directly, or through [`Factory`]'s `createRaw` / `create2Raw`.
//! - For [`MetamorphicInit`], [`RevertingChild`] and [`SelfDestructInConstructor`],
//!   `DEPLOYED_BYTECODE` is solc's notional runtime code; what ends up on chain is the
//!   implementation's code, nothing, and empty code respectively.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

use alloy_primitives::Bytes;
use alloy_sol_types::{SolConstructor, sol};

/// The largest runtime code FEVM (like Ethereum, EIP-170) accepts: 24 KiB.
pub const MAX_CODE_SIZE: usize = 24_576;

sol!(
    /// ERC-20 with custom errors; `constructor(uint256 supply)` mints to the deployer.
    #[derive(Debug, PartialEq, Eq)]
    Token,
    "artifacts/Token.json"
);
sol!(
    /// A counter with `increment`, `add`, `set`, `get` and a `CountChanged` event.
    #[derive(Debug, PartialEq, Eq)]
    Counter,
    "artifacts/Counter.json"
);
sol!(
    /// LOG0–LOG4, anonymous and empty logs, logs around the 8 KiB limit.
    #[derive(Debug, PartialEq, Eq)]
    Events,
    "artifacts/Events.json"
);
sol!(
    /// Every way to fail: revert data, panics, INVALID, stack overflow, memory errors, out of gas.
    #[derive(Debug, PartialEq, Eq)]
    Reverter,
    "artifacts/Reverter.json"
);
sol!(
    /// Catches or bubbles a callee's failure.
    #[derive(Debug, PartialEq, Eq)]
    RevertCatcher,
    "artifacts/RevertCatcher.json"
);
sol!(
    /// Recursive external self-calls: depth, depth probing, partial rollback.
    #[derive(Debug, PartialEq, Eq)]
    Recursive,
    "artifacts/Recursive.json"
);
sol!(
    /// A bank that sends before it clears the balance.
    #[derive(Debug, PartialEq, Eq)]
    VulnerableBank,
    "artifacts/VulnerableBank.json"
);
sol!(
    /// A bank with checks-effects-interactions and a reentrancy lock.
    #[derive(Debug, PartialEq, Eq)]
    GuardedBank,
    "artifacts/GuardedBank.json"
);
sol!(
    /// Re-enters a bank's `withdraw` from `receive()`; `constructor(address bank)`.
    #[derive(Debug, PartialEq, Eq)]
    Attacker,
    "artifacts/Attacker.json"
);
sol!(
    /// What `Factory` deploys: `constructor(uint256 value)`, payable.
    #[derive(Debug, PartialEq, Eq)]
    Child,
    "artifacts/Child.json"
);
sol!(
    /// A constructor that always reverts: `constructor(bool useCustomError)`.
    #[derive(Debug, PartialEq, Eq)]
    RevertingChild,
    "artifacts/RevertingChild.json"
);
sol!(
    /// CREATE / CREATE2 of `Child`, address computation, collisions, raw initcode.
    #[derive(Debug, PartialEq, Eq)]
    Factory,
    "artifacts/Factory.json"
);
sol!(
    /// A contract that self-destructs on request.
    #[derive(Debug, PartialEq, Eq)]
    Destructible,
    "artifacts/Destructible.json"
);
sol!(
    /// `Destructible` whose `version()` is 2.
    #[derive(Debug, PartialEq, Eq)]
    DestructibleV2,
    "artifacts/DestructibleV2.json"
);
sol!(
    /// Self-destructs in its constructor: `constructor(address beneficiary)`, payable.
    #[derive(Debug, PartialEq, Eq)]
    SelfDestructInConstructor,
    "artifacts/SelfDestructInConstructor.json"
);
sol!(
    /// Initcode that installs the runtime code of its deployer's `currentImplementation()`.
    #[derive(Debug, PartialEq, Eq)]
    MetamorphicInit,
    "artifacts/MetamorphicInit.json"
);
sol!(
    /// Deploys, destroys and redeploys `Destructible`s at CREATE2 addresses.
    #[derive(Debug, PartialEq, Eq)]
    LifecycleFactory,
    "artifacts/LifecycleFactory.json"
);
sol!(
    /// The logic behind `Proxy`.
    #[derive(Debug, PartialEq, Eq)]
    Implementation,
    "artifacts/Implementation.json"
);
sol!(
    /// DELEGATECALL proxy: `constructor(address implementation)`.
    #[derive(Debug, PartialEq, Eq)]
    Proxy,
    "artifacts/Proxy.json"
);
sol!(
    /// CALL / STATICCALL / DELEGATECALL to any target.
    #[derive(Debug, PartialEq, Eq)]
    Caller,
    "artifacts/Caller.json"
);
sol!(
    /// TLOAD / TSTORE.
    #[derive(Debug, PartialEq, Eq)]
    Transient,
    "artifacts/Transient.json"
);
sol!(
    /// MCOPY.
    #[derive(Debug, PartialEq, Eq)]
    MCopy,
    "artifacts/MCopy.json"
);
sol!(
    /// Callers of the Ethereum precompiles.
    #[derive(Debug, PartialEq, Eq)]
    EthPrecompiles,
    "artifacts/EthPrecompiles.json"
);
sol!(
    /// Callers of the Filecoin precompiles 0xfe00..01–06.
    #[derive(Debug, PartialEq, Eq)]
    FilecoinPrecompiles,
    "artifacts/FilecoinPrecompiles.json"
);
sol!(
    /// A `handle_filecoin_method` receiver.
    #[derive(Debug, PartialEq, Eq)]
    FilecoinReceiver,
    "artifacts/FilecoinReceiver.json"
);
sol!(
    /// Environment opcodes.
    // `EnvRecorded` has eight fields, so its generated constructor takes eight arguments.
    #[allow(clippy::too_many_arguments)]
    #[derive(Debug, PartialEq, Eq)]
    Env,
    "artifacts/Env.json"
);
sol!(
    /// Records what a constructor sees about itself.
    #[derive(Debug, PartialEq, Eq)]
    ConstructorEnv,
    "artifacts/ConstructorEnv.json"
);
sol!(
    /// CLZ (compiled for osaka).
    #[derive(Debug, PartialEq, Eq)]
    Clz,
    "artifacts/Clz.json"
);
sol!(
    /// `receive` and `fallback` that record calls and emit events.
    #[derive(Debug, PartialEq, Eq)]
    Receiver,
    "artifacts/Receiver.json"
);
sol!(
    /// No `receive`, no `fallback`: rejects value sends.
    #[derive(Debug, PartialEq, Eq)]
    NonPayable,
    "artifacts/NonPayable.json"
);
sol!(
    /// A `receive` that always reverts.
    #[derive(Debug, PartialEq, Eq)]
    RevertingReceiver,
    "artifacts/RevertingReceiver.json"
);
sol!(
    /// Sends value with `transfer`, `send` and `call{value:}`.
    #[derive(Debug, PartialEq, Eq)]
    Sender,
    "artifacts/Sender.json"
);
sol!(
    /// Runtime code of exactly [`MAX_CODE_SIZE`] bytes.
    #[derive(Debug, PartialEq, Eq)]
    BigContract,
    "artifacts/BigContract.json"
);
sol!(
    /// Runtime code of [`MAX_CODE_SIZE`] + 1 bytes: deployment is refused.
    #[derive(Debug, PartialEq, Eq)]
    TooBigContract,
    "artifacts/TooBigContract.json"
);
sol!(
    /// Filecoin's storage actors reached through the `filecoin-solidity-api` library.
    #[derive(Debug, PartialEq, Eq)]
    StorageClient,
    "artifacts/StorageClient.json"
);
/// [`MinerClient`]'s bindings; the library's custom errors it declares carry no docs.
#[allow(missing_docs)]
mod miner_client {
    alloy_sol_types::sol!(
        /// A contract that creates, owns and operates a storage miner through `MinerAPI`.
        #[derive(Debug, PartialEq, Eq)]
        MinerClient,
        "artifacts/MinerClient.json"
    );
}
pub use miner_client::MinerClient;
sol!(
    /// A deal client: proposals it authenticates, deal notifications, market getters.
    #[derive(Debug, PartialEq, Eq)]
    DealClient,
    "artifacts/DealClient.json"
);
sol!(
    /// A verified client: datacap balances, allowances, allocations and claims.
    #[derive(Debug, PartialEq, Eq)]
    VerifiedClient,
    "artifacts/VerifiedClient.json"
);
sol!(
    /// Compute- and storage-heavy functions for benchmarks.
    #[derive(Debug, PartialEq, Eq)]
    Compute,
    "artifacts/Compute.json"
);

/// One compiled contract of this crate.
#[derive(Debug, Clone, Copy)]
pub struct Fixture {
    /// The contract's name, which is also its module and its artifact's file stem.
    pub name: &'static str,
    /// The source file in `contracts/` that defines it.
    pub source: &'static str,
    /// Initcode (creation bytecode), without constructor arguments.
    pub bytecode: &'static Bytes,
    /// Runtime bytecode as compiled.
    pub deployed_bytecode: &'static Bytes,
}

macro_rules! fixtures {
    ($($name:ident in $source:literal),* $(,)?) => {
        /// Every contract of this crate, in alphabetical order.
        pub static FIXTURES: &[Fixture] = &[$(
            Fixture {
                name: stringify!($name),
                source: $source,
                bytecode: &$name::BYTECODE,
                deployed_bytecode: &$name::DEPLOYED_BYTECODE,
            },
        )*];
    };
}

fixtures![
    Attacker in "Recursion.sol",
    BigContract in "BigContract.sol",
    Caller in "Calls.sol",
    Child in "Factory.sol",
    Clz in "Clz.sol",
    Compute in "Compute.sol",
    ConstructorEnv in "Env.sol",
    Counter in "Counter.sol",
    DealClient in "DealClient.sol",
    Destructible in "Lifecycle.sol",
    DestructibleV2 in "Lifecycle.sol",
    Env in "Env.sol",
    EthPrecompiles in "EthPrecompiles.sol",
    Events in "Events.sol",
    Factory in "Factory.sol",
    FilecoinPrecompiles in "FilecoinPrecompiles.sol",
    FilecoinReceiver in "FilecoinPrecompiles.sol",
    GuardedBank in "Recursion.sol",
    Implementation in "Proxy.sol",
    LifecycleFactory in "Lifecycle.sol",
    MCopy in "MCopy.sol",
    MetamorphicInit in "Lifecycle.sol",
    NonPayable in "Payable.sol",
    Proxy in "Proxy.sol",
    Receiver in "Payable.sol",
    Recursive in "Recursion.sol",
    RevertCatcher in "Reverts.sol",
    Reverter in "Reverts.sol",
    RevertingChild in "Factory.sol",
    RevertingReceiver in "Payable.sol",
    SelfDestructInConstructor in "Lifecycle.sol",
    Sender in "Payable.sol",
    MinerClient in "MinerClient.sol",
    StorageClient in "StorageClient.sol",
    Token in "Token.sol",
    TooBigContract in "BigContract.sol",
    Transient in "Transient.sol",
    VerifiedClient in "VerifiedClient.sol",
    VulnerableBank in "Recursion.sol",
];

/// The fixture called `name`, if there is one.
pub fn fixture(name: &str) -> Option<&'static Fixture> {
    FIXTURES.iter().find(|f| f.name == name)
}

/// Deployment data: `bytecode` followed by the ABI-encoded constructor arguments `args`
/// (a contract module's `constructorCall`).
pub fn initcode<C: SolConstructor>(bytecode: &[u8], args: &C) -> Vec<u8> {
    let mut data = bytecode.to_vec();
    data.extend_from_slice(&args.abi_encode());
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{U256, keccak256};
    use alloy_sol_types::{SolCall, SolEvent};
    use std::collections::HashSet;

    #[test]
    fn every_fixture_has_code() {
        for f in FIXTURES {
            assert!(!f.bytecode.is_empty(), "{}: empty BYTECODE", f.name);
            assert!(!f.deployed_bytecode.is_empty(), "{}: empty DEPLOYED_BYTECODE", f.name);
            assert_ne!(f.bytecode[0], 0xef, "{}: initcode starts with 0xEF", f.name);
            assert_ne!(f.deployed_bytecode[0], 0xef, "{}: runtime code starts with 0xEF", f.name);
        }
    }

    #[test]
    fn runtime_code_fits_the_cap_except_too_big() {
        for f in FIXTURES {
            let len = f.deployed_bytecode.len();
            match f.name {
                "BigContract" => {
                    assert_eq!(len, MAX_CODE_SIZE, "BigContract must sit exactly at the cap")
                }
                "TooBigContract" => {
                    assert_eq!(len, MAX_CODE_SIZE + 1, "TooBigContract: one byte over")
                }
                _ => assert!(len <= MAX_CODE_SIZE, "{}: {len} bytes of runtime code", f.name),
            }
        }
    }

    #[test]
    fn fixture_names_are_unique_and_resolvable() {
        let names: HashSet<_> = FIXTURES.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), FIXTURES.len());
        assert_eq!(fixture("Token").unwrap().bytecode, &Token::BYTECODE);
        assert!(fixture("NoSuchContract").is_none());
    }

    #[test]
    fn runtime_code_is_embedded_in_initcode() {
        // solc's initcode copies the runtime code out of itself (CODECOPY), so it must contain
        // it verbatim; this catches artifacts whose two fields come from different builds.
        for f in FIXTURES {
            if matches!(f.name, "MetamorphicInit" | "RevertingChild" | "SelfDestructInConstructor")
            {
                continue;
            }
            let code = &f.deployed_bytecode[..];
            assert!(
                f.bytecode.windows(code.len()).any(|w| w == code),
                "{}: runtime code not found in initcode",
                f.name
            );
        }
    }

    #[test]
    fn selectors_and_topics_match_the_spec() {
        // FEVM.md §1.7: HandleFilecoinMethod calls selector 0x868e10c4.
        assert_eq!(
            FilecoinReceiver::handle_filecoin_methodCall::SELECTOR,
            [0x86, 0x8e, 0x10, 0xc4]
        );
        assert_eq!(Token::Transfer::SIGNATURE_HASH, keccak256("Transfer(address,address,uint256)"));
        assert_eq!(Token::transferCall::SELECTOR, [0xa9, 0x05, 0x9c, 0xbb]);
        // STORAGE.md §3b: what Boost's contract-deal monitor subscribes to and calls.
        assert_eq!(
            DealClient::DealProposalCreate::SIGNATURE_HASH,
            alloy_primitives::b256!(
                "fd6419d07e4c269e58d0c63969756c2124155b4a8d6dd08b8cd46e3a9acbf625"
            )
        );
        assert_eq!(DealClient::getDealProposalCall::SELECTOR, [0xf4, 0xb2, 0xe4, 0xd8]);
        assert_eq!(
            DealClient::handle_filecoin_methodCall::SELECTOR,
            FilecoinReceiver::handle_filecoin_methodCall::SELECTOR
        );
    }

    #[test]
    fn initcode_appends_constructor_arguments() {
        let data = initcode(&Token::BYTECODE, &Token::constructorCall { supply: U256::from(7u64) });
        assert_eq!(data.len(), Token::BYTECODE.len() + 32);
        assert_eq!(U256::from_be_slice(&data[Token::BYTECODE.len()..]), U256::from(7u64));
    }

    #[test]
    fn clz_contract_uses_the_clz_opcode() {
        // Walk the runtime code (skipping PUSH data, stopping before the CBOR metadata, whose
        // length is in the last two bytes) and look for CLZ = 0x1e.
        let code = &Clz::DEPLOYED_BYTECODE[..];
        let meta_len =
            usize::from(u16::from_be_bytes([code[code.len() - 2], code[code.len() - 1]]));
        let program = &code[..code.len() - 2 - meta_len];
        let mut pc = 0;
        let mut found = false;
        while pc < program.len() {
            let op = program[pc];
            found |= op == 0x1e;
            pc += 1 + if (0x60..=0x7f).contains(&op) { usize::from(op - 0x5f) } else { 0 };
        }
        assert!(found, "no CLZ opcode in Clz's runtime code");
    }
}
