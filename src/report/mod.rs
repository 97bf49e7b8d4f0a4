//! What a run found, and the writers that present it.
//!
//! [`RunReport`] is the complete result of a run: the engine and the
//! latency model fill it, and every writer (table, CSV, JSON, charts, HTML)
//! reads only it. One file per output format.

pub mod charts;
pub mod html;

use serde::Serialize;

use crate::latency::LatencyReport;
use crate::metrics::Balance;

/// Partitions touched by one query class under one strategy.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QueryFanout {
    /// The op name (hybrid timeline reads get the suffix `+hybrid`).
    pub query: String,
    /// Mean partitions touched per query.
    pub mean_partitions: f64,
    /// Most partitions any one query touched.
    pub max_partitions: u32,
}

/// Data movement when the partition count changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Movement {
    /// Fraction of keys whose partition changes on N → N+1.
    pub keys_add: f64,
    /// Fraction of traffic whose partition changes on N → N+1.
    pub traffic_add: f64,
    /// Fraction of keys whose partition changes on N → N−1.
    pub keys_remove: f64,
    /// Fraction of traffic whose partition changes on N → N−1.
    pub traffic_remove: f64,
    /// The least possible movement on N → N+1: 1/(N+1).
    pub ideal_add: f64,
    /// The least possible movement on N → N−1: 1/N.
    pub ideal_remove: f64,
}

/// Write amplification of posts fanned out to followers' timelines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Amplification {
    /// Writes per post under fan-out-on-write (1 + mean followers).
    pub on_write: f64,
    /// Writes per post under the hybrid (celebrities not fanned out).
    pub hybrid: f64,
    /// Timeline writes under fan-out-on-write.
    pub timeline_writes: u64,
    /// Timeline writes under the hybrid.
    pub timeline_writes_hybrid: u64,
}

/// Everything measured for one strategy.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StrategyReport {
    /// Display name from the workload, such as `hash_user`.
    pub name: String,
    /// Kind and key, such as `hash(user)`.
    pub label: String,
    /// The registered kind.
    pub kind: String,
    /// Number of partitions.
    pub partitions: u32,
    /// Events of the stream routed.
    pub events: u64,
    /// Operations served by each partition (traffic), fan-out included.
    pub load: Vec<u64>,
    /// Keys stored on each partition (storage).
    pub keys: Vec<u64>,
    /// Balance of `load`.
    pub balance: Balance,
    /// Balance of `keys`.
    pub key_balance: Balance,
    /// Balance of the writes alone (fan-out writes included).
    pub write_balance: Balance,
    /// Share of all events on the most frequent key.
    pub hottest_key_share: f64,
    /// Per query class.
    pub fanout: Vec<QueryFanout>,
    /// Partitions touched per query, over every query of the mix.
    pub mean_fanout: f64,
    /// Movement on N → N±1.
    pub movement: Movement,
    /// Fan-out of posts, for workloads with followers.
    pub amplification: Option<Amplification>,
    /// Events routed per second of routing time (all threads).
    pub events_per_sec: f64,
    /// Latency model result.
    pub latency: Option<LatencyReport>,
}

/// The whole result of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunReport {
    /// Workload name.
    pub workload: String,
    /// What it models.
    pub description: String,
    /// Events generated.
    pub events: u64,
    /// Partitions.
    pub partitions: u32,
    /// Seed.
    pub seed: u64,
    /// Threads used (results do not depend on it).
    pub threads: usize,
    /// Traffic multiplier applied to the workload's offered rate.
    pub traffic: f64,
    /// Names of the ops, in workload order.
    pub ops: Vec<String>,
    /// One per strategy, in workload order.
    pub strategies: Vec<StrategyReport>,
    /// Wall time of the whole run, seconds.
    pub elapsed_sec: f64,
}

pub mod csv;
pub mod json;
pub mod output;
pub mod table;

pub use json::RunConfig;

use std::path::Path;

use crate::error::Result;

/// Writes every result file of `report` into `dir`, atomically: the table
/// files, `run.json`, and with `charts` the charts and `report.html`.
pub fn write_all(report: &RunReport, config: &RunConfig, dir: &Path, charts: bool) -> Result<()> {
    let mut stage = output::Staging::new(dir)?;
    stage.write("summary.csv", &csv::summary(report)?)?;
    stage.write("partitions.csv", &csv::partitions(report)?)?;
    stage.write("fanout.csv", &csv::fanout(report)?)?;
    if report.strategies.iter().any(|s| s.latency.is_some()) {
        stage.write("latency.csv", &csv::latency(report)?)?;
    }
    stage.write("throughput.csv", &csv::throughput(report)?)?;
    let config_json = config.to_json();
    stage.write("run.json", config_json.as_bytes())?;
    if charts {
        let drawn = charts::write_charts(report, stage.dir())?;
        for c in &drawn {
            for path in [&c.png, &c.svg] {
                if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                    stage.add(name);
                }
            }
        }
        html::write_html(
            report,
            &drawn,
            &config_json,
            &stage.dir().join("report.html"),
        )?;
        stage.add("report.html");
    }
    stage.commit()?;
    Ok(())
}
