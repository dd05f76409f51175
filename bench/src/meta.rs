//! What a result is only worth with: date, machine, versions, the command and the plan; and
//! writing the results under a timestamped name.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

use crate::cli::{Args, Plan};
use crate::node::{Binaries, anvil_version};
use crate::report::Report;

/// Facts for the results header.
pub(crate) fn collect(args: &Args, plan: &Plan, bins: &Binaries) -> Vec<(String, String)> {
    let now = unix_now();
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mode = if args.quick { "quick (smoke run)" } else { "full" };
    [
        ("date (UTC)", utc_datetime(now)),
        ("machine", format!("{}, {cores} cores, {}", cpu_model(), memory())),
        ("fevm", format!("{} (commit {})", bins.fevm.display(), git_commit())),
        ("anvil", format!("{} ({})", anvil_version(&bins.anvil), bins.anvil.display())),
        ("command", std::env::args().collect::<Vec<_>>().join(" ")),
        ("load average at start (1/5/15 min)", load_average()),
        (
            "plan",
            format!(
                "{mode}: {} alternating rounds per workload, {:.1} s per rate window after {} ms warm-up, \
                 {} in flight, {} transfers per round of 3, {} for 5",
                plan.rounds,
                plan.window.as_secs_f64(),
                plan.warmup.as_millis(),
                plan.in_flight,
                plan.transfers,
                plan.block_transfers
            ),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// How to read the table (and what the machine was doing meanwhile).
pub(crate) fn notes() -> Vec<String> {
    let load = format!(
        "Load average at the end (1/5/15 min): {}. Anything else running on the 2 cores during the run (other test suites) adds noise; alternating rounds spread it over both nodes.",
        load_average()
    );
    [load.as_str(),
        "Rates are medians of the rounds (answers completed inside the window / window); p50 is the median of the rounds' median latencies.",
        "Both nodes: 127.0.0.1, port 0, chain id 31415926, default mnemonic; fevm with -q, anvil with anvil_setLoggingEnabled(false) after start. Same Rust client (hyper, HTTP/1.1 keep-alive, one current-thread runtime) for both; client and node share the machine's cores.",
        "Rows ending in \"one CPU\" (ids -1cpu) pin the client thread and all of the node's threads to one CPU with taskset for the measurement. Unpinned, a sequential client's latency on a 2-vCPU VM depends mostly on whether each request must wake a thread on the other, idle vCPU; the scheduler settles that when the processes start, so an unpinned round lands on one of two levels for either node.",
        "Ratio is fevm/anvil of the medians: above 1 is better for rates, below 1 is better for times and memory.",
        "Peak RSS is VmHWM of the node process just before SIGTERM at the end of its group.",
    ]
    .into_iter()
    .map(str::to_string)
    .collect()
}

/// Writes `<out>/<timestamp>.md` and `.json`.
pub(crate) fn write(out: &Path, report: &Report) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(out).with_context(|| format!("create {}", out.display()))?;
    let stamp = utc_datetime(unix_now()).replace(':', "-").replace(' ', "T");
    let md = out.join(format!("{stamp}.md"));
    let json = out.join(format!("{stamp}.json"));
    std::fs::write(&md, report.markdown()).with_context(|| format!("write {}", md.display()))?;
    let text = serde_json::to_string_pretty(&report.json())?;
    std::fs::write(&json, text).with_context(|| format!("write {}", json.display()))?;
    Ok((md, json))
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `YYYY-MM-DD HH:MM:SSZ` for unix seconds (the proleptic Gregorian calendar, by days).
pub(crate) fn utc_datetime(unix: u64) -> String {
    let (days, secs) = (unix / 86_400, unix % 86_400);
    // Howard Hinnant's civil-from-days, shifted so that years start in March.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The first three fields of /proc/loadavg.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_string())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

fn memory() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{:.0} GiB RAM", kib / 1024.0 / 1024.0))
        })
        .unwrap_or_else(|| "unknown RAM".to_string())
}

/// `git rev-parse --short HEAD`, marked when the tree has local changes.
fn git_commit() -> String {
    let run = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(head) = run(&["rev-parse", "--short", "HEAD"]) else { return "unknown".to_string() };
    match run(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(changes) if !changes.is_empty() => format!("{head} + uncommitted changes"),
        _ => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc_datetime(0), "1970-01-01 00:00:00Z");
        assert_eq!(utc_datetime(951_782_400), "2000-02-29 00:00:00Z");
        // 2026-11-21 12:34:56 UTC
        assert_eq!(utc_datetime(1_795_264_496), "2026-11-21 12:34:56Z");
    }
}
