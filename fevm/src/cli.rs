//! The `fevm` command line: flags (anvil's names where anvil has one), the startup banner and
//! `fevm address`.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use address_mapping::{AddressForms, Network};
use chain::genesis::NativeAccount;
use chain::{ChainConfig, DevAccount, MiningMode};
use clap::{Parser, Subcommand};
use fvm_shared::econ::TokenAmount;

use eth_rpc::ServerConfig;

/// A local Filecoin EVM devnet with an Ethereum JSON-RPC gateway ("anvil for Filecoin").
#[derive(Debug, Parser)]
#[command(name = "fevm", version, about)]
pub(crate) struct Cli {
    /// A utility instead of the devnet.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(short, long, default_value_t = 8545)]
    pub(crate) port: u16,
    /// EIP-155 chain id.
    #[arg(long, default_value_t = chain::config::DEFAULT_CHAIN_ID)]
    pub(crate) chain_id: u64,
    /// Number of dev accounts to create at genesis.
    #[arg(short, long, default_value_t = chain::config::DEFAULT_ACCOUNTS)]
    pub(crate) accounts: u32,
    /// Balance of each dev account, in FIL.
    #[arg(long, default_value_t = chain::config::DEFAULT_BALANCE_FIL)]
    pub(crate) balance: u64,
    /// BIP-39 mnemonic the dev accounts derive from.
    #[arg(short, long, default_value = chain::config::DEFAULT_MNEMONIC)]
    pub(crate) mnemonic: String,
    /// Mine a tipset every N seconds (default: instantly, when transactions arrive).
    #[arg(short, long, value_name = "SECONDS", conflicts_with = "no_mining")]
    pub(crate) block_time: Option<f64>,
    /// Mine only on request (`evm_mine`).
    #[arg(long)]
    pub(crate) no_mining: bool,
    /// Keep the chain in this directory and resume it on the next start (default: in memory).
    #[arg(long, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// Null rounds before every mined tipset (exercises Filecoin's tipset semantics).
    #[arg(long, default_value_t = 0)]
    pub(crate) null_rounds: u64,
    /// Native f1 (secp256k1) accounts to create at genesis, besides the dev accounts.
    #[arg(long, default_value_t = 0)]
    pub(crate) f1_accounts: u32,
    /// Storage providers (miners f01000, f01001, …) to create at genesis, each with a BLS
    /// worker key derived from the mnemonic.
    #[arg(long, default_value_t = 1)]
    pub(crate) providers: u32,
    /// Only warnings and errors in the log (no per-request lines).
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// Utilities.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print every form of an address (0x checksummed, f410/f0 with both network prefixes).
    Address {
        /// A 0x address or a Filecoin address (f… or t…).
        address: String,
    },
}

impl Cli {
    /// The chain this command line asks for.
    pub(crate) fn chain_config(&self) -> anyhow::Result<ChainConfig> {
        let mining = match (self.no_mining, self.block_time) {
            (true, _) => MiningMode::Manual,
            (false, Some(secs)) if secs > 0.0 && secs.is_finite() => {
                MiningMode::Interval(Duration::from_secs_f64(secs))
            }
            (false, Some(secs)) => anyhow::bail!("--block-time must be positive, got {secs}"),
            (false, None) => MiningMode::Instant,
        };
        Ok(ChainConfig {
            chain_id: self.chain_id,
            mnemonic: self.mnemonic.clone(),
            accounts: self.accounts,
            balance: TokenAmount::from_whole(self.balance),
            f1_accounts: self.f1_accounts,
            providers: self.providers,
            mining,
            null_rounds: self.null_rounds,
            data_dir: self.data_dir.clone(),
            ..ChainConfig::default()
        })
    }

    /// The server this command line asks for.
    pub(crate) fn server_config(&self) -> ServerConfig {
        ServerConfig { host: self.host, port: self.port, ..ServerConfig::default() }
    }
}

/// The banner printed before `Listening on …`: accounts with both address forms and keys.
pub(crate) fn banner(
    config: &ChainConfig,
    accounts: &[DevAccount],
    natives: &[NativeAccount],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "fevm {} — Filecoin EVM devnet\n", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(out, "Available Accounts\n==================");
    for (i, a) in accounts.iter().enumerate() {
        let f410 = address_mapping::format_address(&a.f410, Network::Mainnet);
        let _ = writeln!(
            out,
            "({i}) {} {f410} ({} FIL)",
            a.address,
            config.balance.atto() / 10u64.pow(18)
        );
    }
    let _ = writeln!(out, "\nPrivate Keys\n==================");
    for (i, a) in accounts.iter().enumerate() {
        let _ = writeln!(out, "({i}) {}", a.signer.to_bytes());
    }
    if let Ok(providers) = chain::providers::provider_keys(&config.mnemonic, config.providers)
        && !providers.is_empty()
    {
        let _ = writeln!(
            out,
            "\nStorage Providers (2 KiB sectors; owner = worker, BLS)\n=================="
        );
        for p in &providers {
            let secret: String = p.secret.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(out, "f0{} worker {} key {secret}", p.miner, p.worker);
        }
        let _ = writeln!(
            out,
            "Worker key path:   {}…",
            chain::providers::WORKER_KEY_PATH.trim_end_matches('0')
        );
    }
    let _ = write!(out, "{}", filecoin_keys(config, natives));
    let _ = writeln!(out, "\nWallet\n==================\nMnemonic:          {}", config.mnemonic);
    let _ = writeln!(out, "Derivation path:   m/44'/60'/0'/0/");
    let mining = match config.mining {
        MiningMode::Instant => "instant (a tipset as soon as transactions arrive)".to_string(),
        MiningMode::Interval(d) => format!("every {} s", d.as_secs_f64()),
        MiningMode::Manual => "manual (evm_mine)".to_string(),
    };
    let storage = config
        .data_dir
        .as_ref()
        .map_or_else(|| "in memory".to_string(), |d| d.display().to_string());
    let _ = writeln!(out, "\nChain ID:          {}", config.chain_id);
    let _ = writeln!(out, "Mining:            {mining}");
    let _ = write!(out, "Storage:           {storage}");
    out
}

/// The f1 keys and their roles: the first is the verified registry's root, the second (with
/// `--f1-accounts 2` or more) a verifier; without f1 accounts the root is still named, since it
/// exists (unfunded) and a developer may fund it.
fn filecoin_keys(config: &ChainConfig, natives: &[NativeAccount]) -> String {
    let mut out = String::new();
    let fil = config.balance.atto() / 10u64.pow(18);
    if natives.is_empty() {
        if let Ok(root) = chain::genesis::native_accounts(&config.mnemonic, 1)
            && let Some(root) = root.first()
        {
            let _ = writeln!(
                out,
                "\nVerified registry root: {} (m/44'/461'/0'/0/0, unfunded; --f1-accounts 2 funds it and adds a verifier)",
                root.address
            );
        }
        return out;
    }
    let _ = writeln!(out, "\nFilecoin Keys (secp256k1, m/44'/461'/0'/0/i)\n==================");
    for (i, a) in natives.iter().enumerate() {
        let role = match i {
            0 => " — verified registry root",
            1 => " — verifier (1 PiB of datacap to grant)",
            _ => "",
        };
        let _ = writeln!(out, "({i}) {} ({fil} FIL){role}", a.address);
        let _ = writeln!(out, "    key {}", a.signer.to_bytes());
    }
    out
}

/// What `fevm address <input>` prints.
pub(crate) fn describe_address(input: &str) -> Result<String, address_mapping::AddressError> {
    let forms: AddressForms = address_mapping::address_forms(input)?;
    let mut out = String::new();
    match (&forms.eth, &forms.eth_checksummed) {
        (Ok(_), Some(checksummed)) => {
            let _ = writeln!(out, "0x:       {checksummed}");
        }
        (Err(why), _) => {
            let _ = writeln!(out, "0x:       none ({why})");
        }
        (Ok(eth), None) => {
            let _ = writeln!(out, "0x:       {eth}");
        }
    }
    let _ = writeln!(out, "mainnet:  {}", forms.mainnet);
    let _ = write!(out, "testnet:  {}", forms.testnet);
    if let Some(id) = forms.id {
        let _ = write!(out, "\nactor id: {id}");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_names_the_registry_root_and_the_genesis_verifier() {
        let config = ChainConfig::default();
        let natives = chain::genesis::native_accounts(&config.mnemonic, 2).unwrap();
        let out = filecoin_keys(&config, &natives);
        let root = natives[0].address.to_string();
        let verifier = natives[1].address.to_string();
        assert!(out.contains(&format!("(0) {root} (")), "{out}");
        assert!(out.contains("— verified registry root"), "{out}");
        assert!(out.contains(&format!("(1) {verifier} (")), "{out}");
        assert!(out.contains("— verifier (1 PiB"), "{out}");
        let out = filecoin_keys(&config, &[]);
        assert!(out.contains(&format!("Verified registry root: {root} ")), "{out}");
    }

    #[test]
    fn address_forms_of_a_masked_id_and_an_f410() {
        let out = describe_address("0xff000000000000000000000000000000000004d2").unwrap();
        assert!(out.contains("mainnet:  f01234") && out.contains("testnet:  t01234"), "{out}");
        assert!(out.contains("actor id: 1234"));
        let out = describe_address("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266").unwrap();
        assert!(out.contains("0x:       0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), "{out}");
        assert!(out.contains("mainnet:  f410f"));
        assert!(describe_address("f1nonsense").is_err());
    }

    #[test]
    fn flags_choose_the_mining_mode() {
        let cli = Cli::parse_from(["fevm", "--block-time", "2"]);
        assert_eq!(
            cli.chain_config().unwrap().mining,
            MiningMode::Interval(Duration::from_secs(2))
        );
        let cli = Cli::parse_from(["fevm", "--no-mining", "--port", "0"]);
        assert_eq!(cli.chain_config().unwrap().mining, MiningMode::Manual);
        assert_eq!(cli.server_config().port, 0);
        assert_eq!(Cli::parse_from(["fevm"]).chain_config().unwrap().chain_id, 31_415_926);
        assert!(Cli::try_parse_from(["fevm", "--no-mining", "--block-time", "1"]).is_err());
    }
}
