//! The genesis state: Filecoin's singletons, the EAM, the zero-address EthAccount and the dev
//! accounts derived from a mnemonic (the same keys Hardhat and Foundry use by default).

use alloy_primitives::Address as EthAddress;
use alloy_signer_local::coins_bip39::English;
use alloy_signer_local::{MnemonicBuilder, PrivateKeySigner};
use anyhow::{Context, Result};
use cid::Cid;
use filecoin_vm::accounts::{create_account, create_eth_account};
use filecoin_vm::genesis::{install_singleton, install_singletons};
use filecoin_vm::{BuiltinType, StateTree};
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::EMPTY_ARR_CID;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use crate::config::ChainConfig;
use crate::message::secp_address;

/// A dev account: an f410 EthAccount whose key the node holds.
#[derive(Clone, Debug)]
pub struct DevAccount {
    /// The 0x address.
    pub address: EthAddress,
    /// The same account as an f410 address.
    pub f410: Address,
    /// Its key.
    pub signer: PrivateKeySigner,
}

/// A native f1 (secp256k1) account whose key the node holds.
#[derive(Clone, Debug)]
pub struct NativeAccount {
    /// The f1 address.
    pub address: Address,
    /// Its key.
    pub signer: PrivateKeySigner,
}

/// The first `count` Ethereum accounts of `mnemonic` (m/44'/60'/0'/0/i).
pub fn dev_accounts(mnemonic: &str, count: u32) -> Result<Vec<DevAccount>> {
    derive(mnemonic, "m/44'/60'/0'/0/0", count)?
        .into_iter()
        .map(|signer| {
            let address = signer.address();
            let f410 = address_mapping::eth_to_filecoin(&address)?;
            Ok(DevAccount { address, f410, signer })
        })
        .collect()
}

/// The first `count` Filecoin secp256k1 accounts of `mnemonic` (m/44'/461'/0'/0/i).
pub fn native_accounts(mnemonic: &str, count: u32) -> Result<Vec<NativeAccount>> {
    let signers = derive(mnemonic, "m/44'/461'/0'/0/0", count)?;
    Ok(signers
        .into_iter()
        .map(|signer| {
            let address = secp_address(signer.credential().verifying_key());
            NativeAccount { address, signer }
        })
        .collect())
}

/// The keys at `first` and the `count - 1` indices after it. The BIP-39 seed (2,048 PBKDF2
/// rounds) is computed once for all of them, not once per key: with 10 accounts that was most
/// of the node's start-up time.
fn derive(mnemonic: &str, first: &str, count: u32) -> Result<Vec<PrivateKeySigner>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    MnemonicBuilder::<English>::default()
        .phrase(mnemonic)
        .derivation_path(first)
        .with_context(|| format!("derivation path {first}"))?
        .into_iter()
        .take(count as usize)
        .map(|signer| signer.context("invalid mnemonic"))
        .collect()
}

/// The 32-byte secp256k1 secret keys at `first` and the `count - 1` indices after it (seeds for
/// keys of other kinds, such as the genesis providers' BLS workers).
pub(crate) fn derive_keys(mnemonic: &str, first: &str, count: u32) -> Result<Vec<[u8; 32]>> {
    Ok(derive(mnemonic, first, count)?
        .into_iter()
        .map(|signer| signer.credential().to_bytes().into())
        .collect())
}

/// Builds the genesis state in `store` and returns its root.
pub fn build_genesis<BS: Blockstore + Clone>(store: BS, config: &ChainConfig) -> Result<Cid> {
    let mut tree = StateTree::new(store);
    install_singletons(&mut tree, &config.network_name)?;
    storage_actors::genesis::install(&mut tree)?;
    install_singleton(
        &mut tree,
        address_mapping::EAM_ACTOR_ID,
        BuiltinType::Eam.code_cid(),
        EMPTY_ARR_CID,
    );
    // Filecoin mainnet's nv18 migration created an EthAccount at 0x0; `eth_call` without a
    // `from` runs from it.
    create_eth_account(&mut tree, zero_address()?, TokenAmount::default())?;
    for account in dev_accounts(&config.mnemonic, config.accounts)? {
        create_eth_account(&mut tree, account.f410, config.balance.clone())?;
    }
    // The first f1 key of the mnemonic is the verified registry's root (an account even when
    // no f1 dev accounts are funded), so a devnet user can add verifiers with a key they know.
    let natives = native_accounts(&config.mnemonic, config.f1_accounts.max(1))?;
    for (i, account) in natives.iter().enumerate() {
        let funded = (i as u32) < config.f1_accounts;
        let balance = if funded { config.balance.clone() } else { TokenAmount::default() };
        create_account(&mut tree, account.address, balance)?;
    }
    if let Some(root) = natives.first() {
        storage_actors::genesis::install_verified_registry(&mut tree, &root.address)?;
    }
    // With a second funded f1 key there is a verifier too, so datacap is one message away.
    if let Some(verifier) = natives.get(1) {
        let allowance = fvm_shared::bigint::BigInt::from(GENESIS_VERIFIER_ALLOWANCE);
        storage_actors::genesis::add_verifier(&mut tree, &verifier.address, &allowance)?;
    }
    tree.flush()
}

/// Datacap the genesis verifier (the second f1 account) may grant: 1 PiB.
pub const GENESIS_VERIFIER_ALLOWANCE: u64 = 1 << 50;

/// The f410 form of 0x0000…0000.
pub fn zero_address() -> Result<Address> {
    Ok(address_mapping::eth_to_filecoin(&EthAddress::ZERO)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_mnemonic_gives_hardhat_and_foundry_keys() {
        let accounts = dev_accounts(crate::config::DEFAULT_MNEMONIC, 2).unwrap();
        assert_eq!(accounts[0].address.to_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assert_eq!(accounts[1].address.to_string(), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        assert_eq!(
            accounts[0].signer.to_bytes().to_string(),
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        );
        assert!(accounts[0].f410.to_string().starts_with("f410f"));
    }

    #[test]
    fn genesis_has_the_storage_actors_and_the_first_f1_key_is_the_registry_root() {
        use fvm_ipld_encoding::CborStore;
        let store = filecoin_vm::MemoryBlockstore::new();
        let config = crate::config::ChainConfig::default();
        let root = build_genesis(&store, &config).unwrap();
        let tree = StateTree::load(&store, &root).unwrap();
        for (id, kind) in [
            (2, BuiltinType::Reward),
            (3, BuiltinType::Cron),
            (4, BuiltinType::Power),
            (5, BuiltinType::Market),
            (6, BuiltinType::VerifiedRegistry),
            (7, BuiltinType::DataCap),
        ] {
            let actor = tree.get_actor(id).unwrap().unwrap_or_else(|| panic!("f0{id}"));
            assert_eq!(actor.code, kind.code_cid(), "f0{id}");
        }
        let registry = tree.get_actor(6).unwrap().unwrap();
        let state: storage_actors::verifreg::VerifregState =
            store.get_cbor(&registry.state).unwrap().unwrap();
        let key = &native_accounts(&config.mnemonic, 1).unwrap()[0].address;
        let id = tree.lookup_id(key).unwrap().expect("the root key has an account");
        assert_eq!(state.root_key, Address::new_id(id));
        let first = &native_accounts(&config.mnemonic, 2).unwrap()[1].address;
        assert_eq!(tree.lookup_id(first).unwrap(), None, "no second f1 account, no verifier");
    }

    #[test]
    fn the_second_f1_account_is_a_genesis_verifier() {
        use fvm_ipld_encoding::CborStore;
        let store = filecoin_vm::MemoryBlockstore::new();
        let config = crate::config::ChainConfig { f1_accounts: 2, ..Default::default() };
        let root = build_genesis(&store, &config).unwrap();
        let tree = StateTree::load(&store, &root).unwrap();
        let registry = tree.get_actor(6).unwrap().unwrap();
        let state: storage_actors::verifreg::VerifregState =
            store.get_cbor(&registry.state).unwrap().unwrap();
        let key = &native_accounts(&config.mnemonic, 2).unwrap()[1].address;
        let id = Address::new_id(tree.lookup_id(key).unwrap().expect("an account"));
        let allowance = state.verifier_cap(&store, &id).unwrap();
        assert_eq!(allowance, Some(GENESIS_VERIFIER_ALLOWANCE.into()));
    }
}
