//! How a devnet is set up: genesis parameters, mining mode and where it keeps its data.

use std::path::PathBuf;
use std::time::Duration;

use fvm_shared::econ::TokenAmount;

/// Hardhat's and Foundry's default mnemonic; their default keys are its first accounts.
pub const DEFAULT_MNEMONIC: &str = "test test test test test test test test test test test junk";
/// EIP-155 chain id of Filecoin local devnets (Lotus's 2k and devnet builds use it too).
pub const DEFAULT_CHAIN_ID: u64 = 31_415_926;
/// Dev accounts created at genesis unless told otherwise.
pub const DEFAULT_ACCOUNTS: u32 = 10;
/// Balance of each dev account, in whole FIL.
pub const DEFAULT_BALANCE_FIL: u64 = 10_000;
/// The network name recorded in the init actor's state.
pub const DEFAULT_NETWORK_NAME: &str = "fevm-devnet";

/// When tipsets are produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MiningMode {
    /// A tipset as soon as messages are pending, taking everything pending (up to the block
    /// gas limit) at once. Nothing is mined while the pool is empty.
    Instant,
    /// A tipset every interval, empty or not (anvil's `--block-time`).
    Interval(Duration),
    /// Only when asked ([`crate::DevNode::mine`]).
    Manual,
}

/// Everything that decides what the devnet is.
#[derive(Clone, Debug)]
pub struct ChainConfig {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Network name (init actor state; also the Filecoin network the node claims to be).
    pub network_name: String,
    /// BIP-39 mnemonic the dev accounts derive from (path m/44'/60'/0'/0/i).
    pub mnemonic: String,
    /// Number of f410 EthAccount dev accounts.
    pub accounts: u32,
    /// Balance of each dev account.
    pub balance: TokenAmount,
    /// Number of native f1 (secp256k1) accounts, derived from the same mnemonic at
    /// m/44'/461'/0'/0/i (Filecoin's coin type), with the same balance.
    pub f1_accounts: u32,
    /// Storage providers created at genesis (miners f01000, f01001, … with BLS workers derived
    /// from the mnemonic at m/44'/461'/1'/0/i, each funded with `balance`).
    pub providers: u32,
    /// Genesis timestamp, unix seconds. `None` takes the time the chain is first created.
    pub genesis_time: Option<u64>,
    /// When tipsets are produced.
    pub mining: MiningMode,
    /// Total gas limit of the messages in one tipset. The default is Filecoin's block gas
    /// limit, i.e. a one-block tipset; a tipset of k blocks on a real network takes k times
    /// that. No single message may exceed one block's limit either way.
    pub tipset_gas_limit: u64,
    /// Null rounds (epochs without a tipset) left before every mined tipset; 0 for none.
    pub null_rounds: u64,
    /// Where the chain is kept; `None` keeps it in memory only.
    pub data_dir: Option<PathBuf>,
}

impl ChainConfig {
    /// FIL issued at genesis: every funded account's balance (the base of the circulating
    /// supply).
    pub fn issued(&self) -> TokenAmount {
        let funded =
            u64::from(self.accounts) + u64::from(self.f1_accounts) + u64::from(self.providers);
        self.balance.clone() * funded
    }
}

impl Default for ChainConfig {
    fn default() -> Self {
        Self {
            chain_id: DEFAULT_CHAIN_ID,
            network_name: DEFAULT_NETWORK_NAME.to_string(),
            mnemonic: DEFAULT_MNEMONIC.to_string(),
            accounts: DEFAULT_ACCOUNTS,
            balance: TokenAmount::from_whole(DEFAULT_BALANCE_FIL),
            f1_accounts: 0,
            providers: 0,
            genesis_time: None,
            mining: MiningMode::Instant,
            tipset_gas_limit: crate::basefee::BLOCK_GAS_LIMIT,
            null_rounds: 0,
            data_dir: None,
        }
    }
}
