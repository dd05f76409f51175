//! The `fevm` binary as a user runs it: banner and the single `Listening on` line, JSON-RPC on
//! the printed port, SIGTERM shutdown, and a `--data-dir` chain resumed by the next start.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::eip2718::Encodable2718;
use alloy::primitives::{Address, TxKind, U256, hex};
use alloy::signers::SignerSync;
use alloy::signers::local::PrivateKeySigner;
use serde_json::{Value, json};

const HARDHAT_KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

struct Fevm {
    child: Child,
    url: String,
    banner: Vec<String>,
}

impl Fevm {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fevm"))
            .args(["--port", "0", "-q"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("fevm starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut banner = Vec::new();
        let url = loop {
            let line = lines.next().expect("fevm printed its address").expect("utf-8");
            if let Some(addr) = line.strip_prefix("Listening on ") {
                break format!("http://{addr}");
            }
            banner.push(line);
        };
        Self { child, url, banner }
    }

    fn rpc(&self, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let response: Value = runtime.block_on(async {
            reqwest::Client::new()
                .post(&self.url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        });
        response.get("result").cloned().unwrap_or_else(|| panic!("{method}: {response}"))
    }

    /// SIGTERM, then the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().ok();
        panic!("fevm did not stop on SIGTERM");
    }
}

fn transfer(nonce: u64, to: Address, value: u64) -> String {
    let key: PrivateKeySigner = HARDHAT_KEY_0.parse().unwrap();
    let tx = TxEip1559 {
        chain_id: 31_415_926,
        nonce,
        gas_limit: 10_000_000,
        max_fee_per_gas: 1_000_000_000,
        max_priority_fee_per_gas: 100_000,
        to: TxKind::Call(to),
        value: U256::from(value),
        access_list: Default::default(),
        input: Default::default(),
    };
    let sig = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    hex::encode_prefixed(TxEnvelope::from(tx.into_signed(sig)).encoded_2718())
}

#[test]
fn fevm_serves_stops_on_sigterm_and_resumes_its_data_dir() {
    let dir = std::env::temp_dir().join(format!("fevm-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data_dir = dir.to_str().unwrap();
    let to = Address::repeat_byte(0x24);

    let fevm = Fevm::start(&["--data-dir", data_dir, "--no-mining"]);
    let banner = fevm.banner.join("\n");
    assert!(banner.contains("(0) 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 f410f"), "{banner}");
    assert!(banner.contains(HARDHAT_KEY_0), "{banner}");
    assert!(banner.contains("Verified registry root: f1"), "{banner}");
    assert_eq!(fevm.rpc("eth_chainId", json!([])), json!("0x1df5e76"));
    fevm.rpc("eth_sendRawTransaction", json!([transfer(0, to, 4_321)]));
    fevm.rpc("evm_mine", json!([]));
    fevm.rpc("evm_mine", json!([]));
    let height = fevm.rpc("eth_blockNumber", json!([]));
    assert_eq!(height, json!("0x2"));
    assert_eq!(fevm.rpc("eth_getBalance", json!([to, "latest"])), json!("0x10e1"));
    assert!(fevm.terminate().success(), "a clean exit on SIGTERM");

    let fevm = Fevm::start(&["--data-dir", data_dir, "--no-mining"]);
    assert_eq!(fevm.rpc("eth_blockNumber", json!([])), height);
    assert_eq!(fevm.rpc("eth_getBalance", json!([to, "latest"])), json!("0x10e1"));
    assert_eq!(
        fevm.rpc(
            "eth_getTransactionCount",
            json!([
                Address::from_slice(
                    &hex::decode("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266").unwrap()
                ),
                "latest"
            ])
        ),
        json!("0x1")
    );
    assert!(fevm.terminate().success());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn fevm_address_prints_every_form() {
    let out = Command::new(env!("CARGO_BIN_EXE_fevm"))
        .args(["address", "0xff000000000000000000000000000000000004d2"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("f01234") && text.contains("t01234"), "{text}");
    let bad =
        Command::new(env!("CARGO_BIN_EXE_fevm")).args(["address", "nonsense"]).output().unwrap();
    assert!(!bad.status.success());
}
