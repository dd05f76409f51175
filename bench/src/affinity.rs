//! CPU placement for the sequential workloads.
//!
//! On this 2-vCPU VM a sequential client's latency is decided less by the node than by where
//! the scheduler puts the client's thread and the node's threads. A request that has to wake
//! a thread on the other, idle vCPU pays the hypervisor's wake-up (tens of µs); a request
//! that stays on one vCPU does not. The placement is picked at random when the processes
//! start and then sticks, so an unpinned run of `eth_blockNumber` lands each round on about
//! 46 µs or about 101 µs per request, for fevm and for anvil alike (bench/RESULTS.md).
//!
//! [`OneCpu`] removes that lottery: it pins the client thread and every thread of the node to
//! the same CPU for one measurement and restores both masks afterwards. What is left is the
//! cost of the request itself: the node's work plus the loopback TCP round trip.
//!
//! `taskset` (util-linux, on every Debian) does the pinning: one command for our own thread
//! and for all of another process's threads, without a libc binding.

use std::process::Command;

use anyhow::{Context, Result, bail};

/// The client's thread and all of one node's threads on one CPU, until dropped.
#[derive(Debug)]
pub(crate) struct OneCpu {
    node_pid: u32,
    /// Both masks as they were, in `taskset -c` list form (e.g. `0,1` or `0-1`).
    client_cpus: String,
    node_cpus: String,
}

impl OneCpu {
    /// Pins the calling thread (the client's runtime runs on the main thread) and every
    /// thread of `node_pid` to the first CPU the client may run on.
    pub(crate) fn pin(node_pid: u32) -> Result<Self> {
        let client = std::process::id();
        let client_cpus = allowed_cpus("self")?;
        let node_cpus = allowed_cpus(&node_pid.to_string())?;
        let cpu = first_cpu(&client_cpus).context("no CPU in this process's mask")?;
        taskset(&["-p", "-c", &cpu.to_string(), &client.to_string()])?;
        let pinned = Self { node_pid, client_cpus, node_cpus };
        taskset(&["-a", "-p", "-c", &cpu.to_string(), &node_pid.to_string()])?;
        Ok(pinned)
    }
}

impl Drop for OneCpu {
    /// Gives both processes their old masks back. A node that already exited has nothing to
    /// restore, so failures are ignored here.
    fn drop(&mut self) {
        let client = std::process::id().to_string();
        let _ = taskset(&["-p", "-c", &self.client_cpus, &client]);
        let _ = taskset(&["-a", "-p", "-c", &self.node_cpus, &self.node_pid.to_string()]);
    }
}

/// `Cpus_allowed_list` of `/proc/<pid>/status` (`self` for this process's main thread).
fn allowed_cpus(pid: &str) -> Result<String> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("read {path}"))?;
    parse_allowed_list(&status).with_context(|| format!("no Cpus_allowed_list in {path}"))
}

/// The value of the `Cpus_allowed_list:` line.
fn parse_allowed_list(status: &str) -> Option<String> {
    let line = status.lines().find(|l| l.starts_with("Cpus_allowed_list:"))?;
    let list = line["Cpus_allowed_list:".len()..].trim();
    (!list.is_empty()).then(|| list.to_string())
}

/// The lowest CPU of a list such as `0-1`, `2,3` or `1`.
fn first_cpu(list: &str) -> Option<u32> {
    list.split([',', '-']).filter_map(|n| n.trim().parse().ok()).min()
}

fn taskset(args: &[&str]) -> Result<()> {
    let output = Command::new("taskset")
        .args(args)
        .output()
        .context("run taskset (util-linux) to pin the sequential workloads")?;
    if !output.status.success() {
        bail!("taskset {} failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_from_proc_status() {
        let status = "Name:\tfevm\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\n";
        assert_eq!(parse_allowed_list(status).as_deref(), Some("0-1"));
        assert_eq!(parse_allowed_list("Name:\tx\n"), None);
        assert_eq!(first_cpu("0-1"), Some(0));
        assert_eq!(first_cpu("3,5-7"), Some(3));
        assert_eq!(first_cpu("2"), Some(2));
        assert_eq!(first_cpu(""), None);
    }
}
