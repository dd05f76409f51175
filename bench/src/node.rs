//! Starting and stopping the two nodes: same chain id, same dev keys, a free port on
//! 127.0.0.1 read from the `Listening on 127.0.0.1:PORT` line both print, SIGTERM by PID.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::rpc::{Client, quantity};

/// The chain id both nodes run with (Filecoin's devnet id, fevm's default).
pub(crate) const CHAIN_ID: u64 = 31_415_926;
/// How long a node may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a node may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Which node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `target/release/fevm`.
    Fevm,
    /// anvil 1.7.1 from npm.
    Anvil,
}

impl Kind {
    /// Lower-case name, for logs and JSON.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Fevm => "fevm",
            Self::Anvil => "anvil",
        }
    }
}

/// Where the node binaries and their logs are.
#[derive(Clone, Debug)]
pub(crate) struct Binaries {
    /// The `fevm` binary.
    pub(crate) fevm: PathBuf,
    /// The anvil ELF (not the npm wrapper script, so that the PID is anvil's own).
    pub(crate) anvil: PathBuf,
    /// Each node's stdout and stderr go to `<kind>-<n>.log` here.
    pub(crate) log_dir: PathBuf,
}

/// How a node is started, beyond the common flags.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Options {
    /// Mine only on `evm_mine` (`--no-mining` on both).
    pub(crate) manual_mining: bool,
    /// anvil's block gas limit (`--gas-limit`); fevm's tipset limit has no flag.
    pub(crate) anvil_gas_limit: Option<u64>,
}

/// A running node. Dropping it without [`Node::stop`] still ends the process.
#[derive(Debug)]
pub(crate) struct Node {
    /// Which node.
    pub(crate) kind: Kind,
    /// Its RPC address.
    pub(crate) addr: SocketAddr,
    /// Spawn → first answered request.
    pub(crate) cold_start: Duration,
    child: Child,
}

static STARTED: AtomicUsize = AtomicUsize::new(0);

impl Node {
    /// Spawns the node, waits for its address and its first answer, and checks the chain id.
    pub(crate) async fn start(bins: &Binaries, kind: Kind, options: Options) -> Result<Self> {
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let log_path = bins.log_dir.join(format!("{}-{n}.log", kind.name()));
        let log =
            File::create(&log_path).with_context(|| format!("create {}", log_path.display()))?;
        let mut command = command(bins, kind, options);
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(log.try_clone()?);
        let spawned = Instant::now();
        let mut child = command.spawn().with_context(|| format!("spawn {command:?}"))?;
        let stdout = child.stdout.take().context("node stdout")?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        // Reads stdout until the address appears, then keeps draining it into the log so the
        // node never blocks on a full pipe.
        std::thread::spawn(move || forward_stdout(stdout, log, tx));
        let mut node = Self {
            kind,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            cold_start: Duration::ZERO,
            child,
        };
        node.addr = match tokio::time::timeout(START_TIMEOUT, rx).await {
            Ok(Ok(addr)) => addr,
            _ => bail!("{} printed no Listening line; see {}", kind.name(), log_path.display()),
        };
        let mut client = Client::connect(node.addr).await?;
        let chain_id = quantity(&client.call("eth_chainId", json!([])).await?)?;
        node.cold_start = spawned.elapsed();
        if chain_id != u128::from(CHAIN_ID) {
            bail!("{} runs chain id {chain_id}, expected {CHAIN_ID}", kind.name());
        }
        if kind == Kind::Anvil {
            // anvil logs every request and transaction to stdout and has no flag that keeps
            // the Listening line but drops the rest; this is what fevm's `-q` does.
            client.call("anvil_setLoggingEnabled", json!([false])).await?;
        }
        Ok(node)
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory so far (VmHWM), in KiB.
    pub(crate) fn peak_rss_kib(&self) -> Result<u64> {
        let path = format!("/proc/{}/status", self.pid());
        let status = std::fs::read_to_string(&path).with_context(|| format!("read {path}"))?;
        parse_vmhwm_kib(&status).with_context(|| format!("no VmHWM in {path}"))
    }

    /// Reads the peak RSS, then SIGTERMs the node and waits for it; returns the peak in KiB.
    pub(crate) async fn stop(mut self) -> Result<u64> {
        let peak = self.peak_rss_kib();
        terminate(self.pid())?;
        let deadline = Instant::now() + STOP_TIMEOUT;
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                self.child.kill().ok();
                bail!("{} did not exit within {STOP_TIMEOUT:?} of SIGTERM", self.kind.name());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        peak
    }
}

impl Drop for Node {
    /// An error path left the node running: stop it rather than leak a process.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = terminate(self.pid());
            let deadline = Instant::now() + Duration::from_secs(3);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn command(bins: &Binaries, kind: Kind, options: Options) -> Command {
    let common = ["--port", "0", "--host", "127.0.0.1", "--chain-id"];
    let mut command = match kind {
        Kind::Fevm => {
            let mut c = Command::new(&bins.fevm);
            c.args(common).arg(CHAIN_ID.to_string()).arg("-q");
            c
        }
        Kind::Anvil => {
            let mut c = Command::new(&bins.anvil);
            c.args(common).arg(CHAIN_ID.to_string());
            if let Some(limit) = options.anvil_gas_limit {
                c.arg("--gas-limit").arg(limit.to_string());
            }
            c
        }
    };
    if options.manual_mining {
        command.arg("--no-mining");
    }
    command
}

fn forward_stdout(
    stdout: impl std::io::Read,
    mut log: File,
    tx: tokio::sync::oneshot::Sender<SocketAddr>,
) {
    let mut tx = Some(tx);
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if let Some(addr) = parse_listening(&line)
            && let Some(tx) = tx.take()
        {
            let _ = tx.send(addr);
        }
        let _ = writeln!(log, "{line}");
    }
}

/// SIGTERM by PID, through kill(1) (no libc binding needed for one signal).
fn terminate(pid: u32) -> Result<()> {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .context("run kill -TERM")?;
    if !status.success() {
        bail!("kill -TERM {pid} failed: {status}");
    }
    Ok(())
}

/// The address in a `Listening on 127.0.0.1:PORT` line (fevm and anvil print the same).
pub(crate) fn parse_listening(line: &str) -> Option<SocketAddr> {
    let rest = line.trim().strip_prefix("Listening on ")?;
    rest.trim().parse().ok()
}

/// `VmHWM:  123456 kB` from /proc/<pid>/status.
pub(crate) fn parse_vmhwm_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut fields = line["VmHWM:".len()..].split_whitespace();
    let kib = fields.next()?.parse().ok()?;
    (fields.next() == Some("kB")).then_some(kib)
}

/// The first line of `anvil --version`, for the results header.
pub(crate) fn anvil_version(anvil: &Path) -> String {
    Command::new(anvil)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_lines_of_both_nodes() {
        let addr = parse_listening("Listening on 127.0.0.1:44077").unwrap();
        assert_eq!(addr, SocketAddr::from(([127, 0, 0, 1], 44077)));
        assert_eq!(
            parse_listening("  Listening on 127.0.0.1:8545\r"),
            Some(SocketAddr::from(([127, 0, 0, 1], 8545)))
        );
        assert_eq!(parse_listening("Listening on nowhere"), None);
        assert_eq!(parse_listening("(0) 0xf39F… 10000 FIL"), None);
    }

    #[test]
    fn vmhwm_from_proc_status() {
        let status = "Name:\tanvil\nVmPeak:\t  900 kB\nVmHWM:\t   51234 kB\nVmRSS:\t 50000 kB\n";
        assert_eq!(parse_vmhwm_kib(status), Some(51_234));
        assert_eq!(parse_vmhwm_kib("VmRSS: 1 kB"), None);
    }
}
