//! The results: one row per workload with every round's value, medians, the fevm/anvil ratio
//! and the budget check; printed as a table and written as markdown and JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::node::Kind;
use crate::stats::median;

/// What a row's numbers are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Requests or transactions per second (higher is better).
    PerSec,
    /// Seconds (lower is better).
    Secs,
    /// Milliseconds (lower is better).
    Millis,
    /// Mebibytes (lower is better).
    MiB,
}

/// What DESIGN.md's performance budget asks of a row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Budget {
    /// Informational.
    None,
    /// fevm's median at least this multiple of anvil's.
    AtLeastAnvil(f64),
    /// fevm's median under this many seconds.
    UnderSecs(f64),
}

/// One workload's measurements.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    /// Short id, e.g. `1a`.
    pub(crate) id: &'static str,
    /// What was measured.
    pub(crate) name: String,
    /// Unit of the values.
    pub(crate) unit: Unit,
    /// The budget.
    pub(crate) budget: Budget,
    /// Per-round values, fevm then anvil.
    pub(crate) values: [Vec<f64>; 2],
    /// Per-round p50 latencies (µs) of sequential workloads.
    pub(crate) p50_us: [Vec<f64>; 2],
}

impl Row {
    /// An empty row.
    pub(crate) fn new(
        id: &'static str,
        name: impl Into<String>,
        unit: Unit,
        budget: Budget,
    ) -> Self {
        Self {
            id,
            name: name.into(),
            unit,
            budget,
            values: Default::default(),
            p50_us: Default::default(),
        }
    }

    /// Records one round of one node.
    pub(crate) fn push(&mut self, kind: Kind, value: f64, p50_us: Option<f64>) {
        let i = index(kind);
        self.values[i].push(value);
        self.p50_us[i].extend(p50_us);
    }

    fn median_of(&self, kind: Kind) -> Option<f64> {
        median(&self.values[index(kind)])
    }

    /// fevm's median over anvil's.
    fn ratio(&self) -> Option<f64> {
        let (f, a) = (self.median_of(Kind::Fevm)?, self.median_of(Kind::Anvil)?);
        (a > 0.0).then_some(f / a)
    }

    /// `Some(true)` when the budget is met, `None` when there is none or no data.
    pub(crate) fn met(&self) -> Option<bool> {
        match self.budget {
            Budget::None => None,
            Budget::AtLeastAnvil(k) => self.ratio().map(|r| r >= k),
            Budget::UnderSecs(s) => self.median_of(Kind::Fevm).map(|f| f < s),
        }
    }

    fn cell(&self, kind: Kind) -> String {
        let Some(v) = self.median_of(kind) else { return "—".to_string() };
        let mut out = format_value(v, self.unit);
        if let Some(p50) = median(&self.p50_us[index(kind)]) {
            let _ = write!(out, " (p50 {})", format_latency(p50));
        }
        out
    }

    fn cells(&self) -> [String; 6] {
        let budget = match self.budget {
            Budget::None => "—".to_string(),
            Budget::AtLeastAnvil(k) => format!("≥ {k}× anvil"),
            Budget::UnderSecs(s) => format!("< {s} s"),
        };
        let met = match self.met() {
            None => "—",
            Some(true) => "yes",
            Some(false) => "**no**",
        };
        [
            format!("{} {}", self.id, self.name),
            self.cell(Kind::Fevm),
            self.cell(Kind::Anvil),
            self.ratio().map_or_else(|| "—".to_string(), |r| format!("{r:.2}")),
            budget,
            met.to_string(),
        ]
    }

    fn to_json(&self) -> Value {
        let side = |kind: Kind| {
            json!({
                "rounds": self.values[index(kind)],
                "median": self.median_of(kind),
                "p50_us_rounds": self.p50_us[index(kind)],
                "p50_us_median": median(&self.p50_us[index(kind)]),
            })
        };
        json!({
            "id": self.id,
            "name": self.name,
            "unit": format!("{:?}", self.unit),
            "budget": format!("{:?}", self.budget),
            "fevm": side(Kind::Fevm),
            "anvil": side(Kind::Anvil),
            "ratio_fevm_over_anvil": self.ratio(),
            "met": self.met(),
        })
    }
}

const fn index(kind: Kind) -> usize {
    match kind {
        Kind::Fevm => 0,
        Kind::Anvil => 1,
    }
}

const HEADER: [&str; 6] =
    ["workload", "fevm (median)", "anvil (median)", "ratio fevm/anvil", "budget", "met?"];

/// The whole run: a header of facts, the rows, and notes on how each was measured.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// `(key, value)` facts: date, machine, versions, command.
    pub(crate) meta: Vec<(String, String)>,
    /// The workloads.
    pub(crate) rows: Vec<Row>,
    /// One line per remark (e.g. which nodes were started with which limits).
    pub(crate) notes: Vec<String>,
}

impl Report {
    /// A fixed-width table for the terminal.
    pub(crate) fn text_table(&self) -> String {
        let cells: Vec<[String; 6]> = self.rows.iter().map(Row::cells).collect();
        let mut widths = HEADER.map(|h| h.chars().count());
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |row: [&str; 6]| {
            let padded: Vec<String> =
                row.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
            padded.join(" | ").trim_end().to_string()
        };
        let mut out = line(HEADER) + "\n";
        out += &widths.map(|w| "-".repeat(w)).join("-+-");
        for row in &cells {
            out += "\n";
            out += &line(row.each_ref().map(String::as_str)).replace("**", "");
        }
        out
    }

    /// Markdown: facts, table, notes.
    pub(crate) fn markdown(&self) -> String {
        let mut out = String::from("# fevm vs anvil\n\n");
        for (k, v) in &self.meta {
            let _ = writeln!(out, "- {k}: {v}");
        }
        let _ = writeln!(out, "\n| {} |", HEADER.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(HEADER.len()));
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.cells().join(" | "));
        }
        if !self.notes.is_empty() {
            out += "\n";
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }

    /// JSON with every round's value.
    pub(crate) fn json(&self) -> Value {
        let meta: serde_json::Map<String, Value> =
            self.meta.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
        json!({
            "meta": meta,
            "rows": self.rows.iter().map(Row::to_json).collect::<Vec<_>>(),
            "notes": self.notes,
        })
    }
}

/// A value in its unit, with thousands separators for rates.
pub(crate) fn format_value(v: f64, unit: Unit) -> String {
    match unit {
        Unit::PerSec => format!("{}/s", group_thousands(v.round() as u64)),
        Unit::Secs => format!("{v:.3} s"),
        Unit::Millis => format!("{v:.1} ms"),
        Unit::MiB => format!("{v:.1} MiB"),
    }
}

fn format_latency(us: f64) -> String {
    if us >= 1000.0 { format!("{:.2} ms", us / 1000.0) } else { format!("{us:.0} µs") }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_and_budget_checks() {
        assert_eq!(format_value(14689.4, Unit::PerSec), "14,689/s");
        assert_eq!(format_value(999.0, Unit::PerSec), "999/s");
        assert_eq!(format_value(0.8734, Unit::Secs), "0.873 s");
        assert_eq!(format_latency(210.0), "210 µs");
        assert_eq!(format_latency(2500.0), "2.50 ms");

        let mut rate = Row::new("3", "transfers", Unit::PerSec, Budget::AtLeastAnvil(2.0));
        for (f, a) in [(900.0, 400.0), (1000.0, 500.0), (800.0, 450.0)] {
            rate.push(Kind::Fevm, f, None);
            rate.push(Kind::Anvil, a, None);
        }
        assert_eq!(rate.ratio(), Some(2.0));
        assert_eq!(rate.met(), Some(true));

        let mut time = Row::new("5", "tipset", Unit::Secs, Budget::UnderSecs(1.0));
        assert_eq!(time.met(), None);
        time.push(Kind::Fevm, 1.2, Some(5.0));
        assert_eq!(time.met(), Some(false));
        let report = Report { rows: vec![rate, time], ..Report::default() };
        assert!(report.text_table().contains("2.00"));
        assert!(report.markdown().contains("| 5 tipset | 1.200 s (p50 5 µs) | — |"));
    }
}
