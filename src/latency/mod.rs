//! Latency under load: a queue per partition, fed by the share of the
//! offered traffic that a strategy routes to it.

use serde::Serialize;

/// Latency percentiles of one scope (all partitions, or one), in ms.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest recorded latency.
    pub max_ms: f64,
    /// Offered load over capacity: λ·E[S]/c.
    pub utilization: f64,
    /// True when utilization ≥ 1: the queue grows without bound and the
    /// percentiles are not reported.
    pub saturated: bool,
}

/// The latency model's result for one strategy.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LatencyReport {
    /// Over all requests of all partitions (scatter-gather queries count
    /// once, at the latency of their slowest partition).
    pub all: Percentiles,
    /// One per partition.
    pub partitions: Vec<Percentiles>,
    /// Utilization of the most loaded partition.
    pub hottest_utilization: f64,
    /// Partitions with utilization ≥ 1.
    pub saturated_partitions: u32,
    /// Traffic multiplier at which the hottest partition saturates.
    pub headroom: f64,
    /// The merged latency distribution as (percentile, ms) points, for
    /// charts: percentiles from 0 up to 99.99.
    pub curve: Vec<(f64, f64)>,
}

/// Inputs of the latency model (placeholder).
pub struct LatencyInput<'a> {
    /// Spec.
    pub spec: &'a crate::workload::LatencySpec,
    /// Traffic multiplier.
    pub traffic: f64,
    /// Per-class costs.
    pub op_costs: &'a [f64],
    /// load[class][partition].
    pub load: &'a [Vec<u64>],
    /// Stream events.
    pub events: u64,
    /// Touch samples per class.
    pub touches: &'a [Vec<crate::strategy::Touch>],
    /// Partitions.
    pub partitions: u32,
    /// Seed.
    pub seed: u64,
}

/// Placeholder.
pub fn simulate(input: &LatencyInput<'_>) -> LatencyReport {
    let _ = input;
    LatencyReport::default()
}
