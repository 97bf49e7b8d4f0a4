//! `run.json`: the fully resolved configuration of a run, enough to
//! reproduce it.

use serde::Serialize;

use crate::engine::RunOptions;
use crate::workload::Workload;

/// What was run, with every default resolved.
#[derive(Clone, Debug, Serialize)]
pub struct RunConfig {
    /// shardbench's version.
    pub version: String,
    /// Workload name.
    pub workload: String,
    /// Where it came from (`preset NAME` or a path).
    pub source: String,
    /// Events generated.
    pub events: u64,
    /// Partitions.
    pub partitions: u32,
    /// Seed.
    pub seed: u64,
    /// Threads (results do not depend on it).
    pub threads: usize,
    /// Traffic multiplier of the latency model.
    pub traffic: f64,
    /// Whether the latency model ran.
    pub latency: bool,
    /// Whether charts were drawn.
    pub charts: bool,
    /// Strategies compared, by name.
    pub strategies: Vec<String>,
    /// A command line that reproduces the run.
    pub command: String,
    /// The workload's TOML text, as read.
    pub workload_toml: String,
}

impl RunConfig {
    /// The configuration of running `w` with `opts`.
    pub fn new(w: &Workload, opts: &RunOptions, charts: bool) -> Self {
        let strategies: Vec<String> = w.strategies.iter().map(|s| s.name.clone()).collect();
        let workload_arg = w.source.strip_prefix("preset ").unwrap_or(&w.source);
        let mut command = format!(
            "shardbench --workload {workload_arg} --events {} --partitions {} --seed {} --strategies {} --traffic {}",
            opts.events,
            opts.partitions,
            opts.seed,
            strategies.join(","),
            opts.traffic
        );
        if !opts.latency {
            command.push_str(" --no-latency");
        }
        if !charts {
            command.push_str(" --no-charts");
        }
        Self {
            version: env!("CARGO_PKG_VERSION").to_string(),
            workload: w.name.clone(),
            source: w.source.clone(),
            events: opts.events,
            partitions: opts.partitions,
            seed: opts.seed,
            threads: opts.threads,
            traffic: opts.traffic,
            latency: opts.latency,
            charts,
            strategies,
            command,
            workload_toml: w.text.clone(),
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string())
    }
}
