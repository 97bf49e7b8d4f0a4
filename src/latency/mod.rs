//! Latency under load: a queue per partition, fed by the share of the
//! offered traffic that a strategy routes to it.
//!
//! # Model
//!
//! The engine counts how many operations of each class every partition
//! served over a run of `events` stream events. At a stream rate of
//! R·X events per second (R the workload's `rate_per_sec`, X the
//! `--traffic` multiplier) these counts become Poisson arrival rates per
//! partition and class (see [`class_rates`]). Each partition is a
//! first-come-first-served queue with c workers (`workers`): with one
//! worker its waits follow Lindley's recursion, with several the
//! Kiefer–Wolfowitz workload vector. A request's service time is its
//! class's `cost` times a draw from the workload's service distribution
//! (constant, exponential or lognormal, with mean `service_mean_ms`), and
//! its latency is wait + service. Partitions are simulated independently
//! and in parallel, each with its own random stream, and recorded in an
//! HdrHistogram for its percentiles.
//!
//! A partition whose utilization (see [`utilization`]) is 1 or more is
//! saturated: its queue grows without bound, so it is not simulated and
//! its percentiles (and mean and max) are NaN, which JSON writes as
//! `null`; writers print "saturated". [`headroom`] says how much more
//! traffic the hottest partition takes before that happens. A partition
//! that served nothing reports zeros.
//!
//! The `all` scope is query-level: a query that touches k partitions ends
//! when the slowest of them answers. Its distribution is computed exactly
//! from the partitions' simulated distributions (a rate-weighted mixture
//! for single-partition queries, a product of CDFs for scatter-gather
//! ones) rather than by a second simulation; the same distribution gives
//! the chart `curve`. Classes weigh by their number of queries, which is
//! their load over the mean number of partitions their sampled queries
//! touch. The scope is saturated as soon as any partition is, and its
//! utilization is the mean over partitions (total work over total
//! capacity).
//!
//! # Assumptions
//!
//! - Arrivals are Poisson. Routing a Poisson stream thins it, and thinned
//!   Poisson streams are independent Poisson streams, which is what lets
//!   partitions be simulated apart.
//! - Partitions are independent: a scatter-gather query's pieces see
//!   independent queue states, and the query's latency is the largest of
//!   independent draws, one per touched partition.
//! - Service is FCFS; there are no retries, timeouts, priorities, batching
//!   or network delays, and a worker's speed does not depend on its load.
//! - Rates are steady over the run: bursts and diurnal cycles are not
//!   modelled, nor is a hot key moving between partitions.
//!
//! # Limits
//!
//! The result is a steady-state estimate. Each partition simulates a number
//! of requests set by its load over `duration_sec`, clamped by a
//! [`Budget`] (by default 5 000 to 200 000 measured requests, at most
//! 2²⁵ over all partitions; see [`request_counts`]). The simulated
//! window of a partition is therefore its request count over its arrival
//! rate, not always `duration_sec`: a cold partition is run longer, a hot
//! one shorter. Each run starts with an empty queue and drops a warm-up of
//! a tenth of its measured count (at least 1 000 requests). Close to
//! saturation (ρ above about 0.95) queues relax slowly and such windows
//! start too empty, so percentiles there are underestimated and vary
//! between seeds. Percentiles beyond 1 − 1/n of a partition's n requests
//! are its maximum. Histograms have 0.1 % resolution up to one hour. The
//! query-level scope reads each partition through 290 quantiles (down to
//! a tail of 4·10⁻⁶) on a grid of 4096 latencies 0.34 % apart, and thins
//! samples of touch sets to 16 384 partition evaluations per class.
//!
//! The numbers are a pure function of the inputs and the seed: each
//! partition has its own generator, results are merged in partition order,
//! and no floating-point sum depends on the number of threads.

mod gather;
mod partition;
mod queue;
mod service;
pub mod theory;

use rayon::prelude::*;
use serde::Serialize;

use crate::rng::{Rng, Stream};
use crate::strategy::Touch;
use crate::workload::LatencySpec;

use gather::{QueryClass, Reach};
use partition::{Outcome, Scratch, Setup};
use service::Service;

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
    /// Mean latency.
    pub mean_ms: f64,
    /// Offered load over capacity: λ·E\[S\]/c.
    pub utilization: f64,
    /// True when utilization ≥ 1: the queue grows without bound and the
    /// percentiles are not reported (they, the mean and the max are NaN).
    pub saturated: bool,
}

impl Percentiles {
    /// A saturated scope: every latency is NaN.
    pub fn saturated(utilization: f64) -> Self {
        Self {
            p50_ms: f64::NAN,
            p90_ms: f64::NAN,
            p99_ms: f64::NAN,
            p999_ms: f64::NAN,
            max_ms: f64::NAN,
            mean_ms: f64::NAN,
            utilization,
            saturated: true,
        }
    }
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
    /// Traffic multiplier at which the hottest partition saturates
    /// (infinite when nothing is loaded).
    pub headroom: f64,
    /// The merged latency distribution as (percentile, ms) points, for
    /// charts: percentiles from 0 up to 99.99; empty when `all` is
    /// saturated or nothing is loaded.
    pub curve: Vec<(f64, f64)>,
}

/// What the latency model needs to know about one strategy's run.
#[derive(Clone, Copy, Debug)]
pub struct LatencyInput<'a> {
    /// The workload's queueing parameters.
    pub spec: &'a LatencySpec,
    /// Multiplier of `spec.rate_per_sec` (`--traffic`).
    pub traffic: f64,
    /// Service-time multiplier of each op class.
    pub op_costs: &'a [f64],
    /// `load[op][partition]`: operations of each class each partition
    /// served over the run; a scatter-gather query counts once on each
    /// partition it touches.
    pub load: &'a [Vec<u64>],
    /// Stream events of the run.
    pub events: u64,
    /// Per op class, a sample of the partition sets its queries touched;
    /// empty for a class whose queries touch one partition.
    pub touches: &'a [Vec<Touch>],
    /// Number of partitions.
    pub partitions: u32,
    /// The run seed.
    pub seed: u64,
}

/// How much simulation a run may do (used by [`request_counts`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Fewest measured requests of a partition that served anything, so
    /// that even a cold partition has percentiles worth reading.
    pub min_requests: u64,
    /// Most measured requests of one partition.
    pub max_requests: u64,
    /// Most measured requests over all partitions; above it every
    /// partition's count is scaled down alike (to no less than
    /// `min_requests`).
    pub max_total_requests: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            min_requests: 5_000,
            max_requests: 200_000,
            max_total_requests: 1 << 25,
        }
    }
}

/// Arrival rate of each op class at `partition`, per second:
///
/// λ_{p,c} = R·X·load\[c\]\[p\] / events,
///
/// R the stream rate `rate_per_sec`, X the traffic multiplier: the stream
/// brings R·X events per second, and partition p serves load\[c\]\[p\] class-c
/// operations per `events` events.
pub fn class_rates(input: &LatencyInput<'_>, partition: u32) -> Vec<f64> {
    let per_event = if input.events == 0 {
        0.0
    } else {
        input.spec.rate_per_sec * input.traffic / input.events as f64
    };
    (0..input.op_costs.len())
        .map(|c| {
            let load = input
                .load
                .get(c)
                .and_then(|l| l.get(partition as usize))
                .copied()
                .unwrap_or(0);
            load as f64 * per_event
        })
        .collect()
}

/// Utilization of a partition whose classes arrive at `rates_per_sec`:
///
/// ρ = Σ_c λ_c·cost_c·E\[S\] / c,
///
/// E\[S\] the mean service time of an op of cost 1 (`service_mean_ms`) and c
/// the workers per partition: the offered work per unit of time over the
/// partition's capacity. The queue is stable only when ρ < 1.
pub fn utilization(spec: &LatencySpec, op_costs: &[f64], rates_per_sec: &[f64]) -> f64 {
    let work_per_sec: f64 = rates_per_sec
        .iter()
        .zip(op_costs)
        .map(|(rate, cost)| rate * cost * spec.service_mean_ms / 1000.0)
        .sum();
    work_per_sec / spec.workers.max(1) as f64
}

/// The traffic multiplier at which the hottest partition saturates:
///
/// headroom = X / ρ_max,
///
/// since every utilization grows in proportion to the traffic multiplier
/// X. Below 1, the hottest partition is already saturated; infinite when
/// no partition has any load.
pub fn headroom(traffic: f64, hottest_utilization: f64) -> f64 {
    if hottest_utilization > 0.0 {
        traffic / hottest_utilization
    } else {
        f64::INFINITY
    }
}

/// Measured requests of each partition:
///
/// n_p = clamp(round(λ_p·D), min_requests, max_requests),
///
/// λ_p the partition's rate per second and D `duration_sec`; when Σ n_p
/// exceeds `max_total_requests`, each n_p is scaled by
/// max_total_requests / Σ n_p, and raised back to `min_requests`. Idle and
/// saturated partitions get 0.
pub fn request_counts(
    spec: &LatencySpec,
    rates: &[Vec<f64>],
    utilizations: &[f64],
    budget: &Budget,
) -> Vec<u64> {
    let mut counts: Vec<u64> = rates
        .iter()
        .zip(utilizations)
        .map(|(r, &rho)| {
            let rate: f64 = r.iter().sum();
            if rate <= 0.0 || is_saturated(rho) {
                return 0;
            }
            let n = (rate * spec.duration_sec).round();
            (n as u64).clamp(budget.min_requests, budget.max_requests)
        })
        .collect();
    let total: u64 = counts.iter().sum();
    if total > budget.max_total_requests {
        let scale = budget.max_total_requests as f64 / total as f64;
        for n in counts.iter_mut().filter(|n| **n > 0) {
            *n = ((*n as f64 * scale) as u64).max(budget.min_requests);
        }
    }
    counts
}

/// Whether a utilization means an unbounded queue (NaN counts as one).
fn is_saturated(utilization: f64) -> bool {
    utilization >= 1.0 || utilization.is_nan()
}

/// The latency of one strategy's run, with the default [`Budget`].
pub fn simulate(input: &LatencyInput<'_>) -> LatencyReport {
    simulate_with(input, &Budget::default())
}

/// The latency of one strategy's run, within `budget`.
pub fn simulate_with(input: &LatencyInput<'_>, budget: &Budget) -> LatencyReport {
    let spec = input.spec;
    let n = input.partitions;
    let rates: Vec<Vec<f64>> = (0..n).map(|p| class_rates(input, p)).collect();
    let rhos: Vec<f64> = rates
        .iter()
        .map(|r| utilization(spec, input.op_costs, r))
        .collect();
    let counts = request_counts(spec, &rates, &rhos, budget);

    let (distinct_costs, table_of_class) = distinct_costs(input.op_costs);
    let levels = gather::table_levels();
    let setup = Setup {
        workers: spec.workers.max(1),
        service: Service::new(spec.service, spec.service_mean_ms),
        costs: input.op_costs,
        distinct_costs: &distinct_costs,
        levels: &levels,
    };
    let outcomes: Vec<Outcome> = (0..n as usize)
        .into_par_iter()
        .map_init(
            || Scratch::new(distinct_costs.len()),
            |scratch, p| {
                if is_saturated(rhos[p]) {
                    return Outcome {
                        percentiles: Percentiles::saturated(rhos[p]),
                        tables: Vec::new(),
                    };
                }
                if counts[p] == 0 {
                    return Outcome {
                        percentiles: Percentiles::default(),
                        tables: Vec::new(),
                    };
                }
                let rates_per_ms: Vec<f64> = rates[p].iter().map(|r| r / 1000.0).collect();
                let mut rng = Rng::for_chunk(input.seed, Stream::Latency, p as u64);
                partition::run(&setup, &rates_per_ms, rhos[p], counts[p], &mut rng, scratch)
            },
        )
        .collect();

    let hottest = rhos.iter().copied().fold(0.0, f64::max);
    let saturated = rhos.iter().filter(|&&r| is_saturated(r)).count() as u32;
    let mean_rho = if n == 0 {
        0.0
    } else {
        rhos.iter().sum::<f64>() / n as f64
    };
    let (partitions, tables): (Vec<_>, Vec<_>) = outcomes
        .into_iter()
        .map(|o| (o.percentiles, o.tables))
        .unzip();
    let (all, curve) = if saturated > 0 {
        (Percentiles::saturated(mean_rho), Vec::new())
    } else {
        let classes = query_classes(input, &table_of_class);
        query_scope(&classes, &tables, &levels, mean_rho)
    };
    LatencyReport {
        all,
        partitions,
        hottest_utilization: hottest,
        saturated_partitions: saturated,
        headroom: headroom(input.traffic, hottest),
        curve,
    }
}

/// The distinct op costs, in order of first appearance, and the index of
/// each class's cost among them.
fn distinct_costs(costs: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut distinct: Vec<f64> = Vec::new();
    let index = costs
        .iter()
        .map(|&c| match distinct.iter().position(|&d| d == c) {
            Some(i) => i,
            None => {
                distinct.push(c);
                distinct.len() - 1
            }
        })
        .collect();
    if distinct.is_empty() {
        distinct.push(1.0);
    }
    (distinct, index)
}

/// The op classes as the query-level scope sees them. A class's share of
/// queries is its operations over the run, divided by the mean number of
/// partitions its sampled queries touch (a scatter-gather query counts on
/// each partition it touches).
fn query_classes(input: &LatencyInput<'_>, table_of_class: &[usize]) -> Vec<QueryClass> {
    let mut classes = Vec::new();
    for (c, &table) in table_of_class.iter().enumerate() {
        let Some(load) = input.load.get(c) else {
            continue;
        };
        let load = &load[..load.len().min(input.partitions as usize)];
        let total: u64 = load.iter().sum();
        if total == 0 {
            continue;
        }
        let sample = input.touches.get(c).map(Vec::as_slice).unwrap_or(&[]);
        let one_partition = sample.iter().all(|t| matches!(t, Touch::One(_)));
        let (sets, mean_len) = if one_partition {
            (Vec::new(), 1.0)
        } else {
            gather::distinct_sets(sample, input.partitions)
        };
        let (weight, reach) = if sets.is_empty() {
            let shares = (0..)
                .zip(load)
                .filter(|(_, l)| **l > 0)
                .map(|(p, &l)| (p, l as f64 / total as f64))
                .collect();
            (total as f64, Reach::One(shares))
        } else {
            (total as f64 / mean_len, Reach::Sets(sets))
        };
        classes.push(QueryClass {
            weight,
            table,
            reach,
        });
    }
    let sum: f64 = classes.iter().map(|c| c.weight).sum();
    for class in &mut classes {
        class.weight /= sum;
    }
    classes
}

/// Percentile levels of the chart curve: 1 − 10^(−i/20) for i = 0..=80,
/// 20 points per decade of 1/(1 − q), from 0 to 99.99 %.
const CURVE_POINTS_PER_DECADE: u32 = 20;
const CURVE_DECADES: u32 = 4;

/// The `all` scope and its curve, for a run without saturated partitions.
fn query_scope(
    classes: &[QueryClass],
    tables: &[Vec<gather::Table>],
    levels: &[f64],
    utilization: f64,
) -> (Percentiles, Vec<(f64, f64)>) {
    let Some(dist) = gather::query_latency(classes, tables, levels) else {
        let idle = Percentiles {
            utilization,
            ..Percentiles::default()
        };
        return (idle, Vec::new());
    };
    let all = Percentiles {
        p50_ms: dist.quantile(0.5),
        p90_ms: dist.quantile(0.9),
        p99_ms: dist.quantile(0.99),
        p999_ms: dist.quantile(0.999),
        max_ms: dist.max(),
        mean_ms: dist.mean(),
        utilization,
        saturated: false,
    };
    let curve = (0..=CURVE_POINTS_PER_DECADE * CURVE_DECADES)
        .map(|i| {
            let tail = 10f64.powf(-(i as f64) / CURVE_POINTS_PER_DECADE as f64);
            let percentile = ((1.0 - tail) * 1e8).round() / 1e6;
            (percentile, dist.quantile(1.0 - tail))
        })
        .collect();
    (all, curve)
}

#[cfg(test)]
mod tests;
