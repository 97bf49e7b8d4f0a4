//! One partition's run: its queue, the histogram of its requests'
//! latencies, its percentiles, and the tables that the query-level scope
//! is computed from.

use hdrhistogram::Histogram;

use super::Percentiles;
use super::gather::Table;
use super::queue::{self, Arrivals};
use super::service::Service;
use crate::rng::Rng;

/// Histograms count nanoseconds with 3 significant digits (0.1 %
/// resolution) up to one hour; a longer latency is recorded as one hour.
/// One histogram takes about 270 kB, and only one set per worker thread is
/// alive at a time: each partition is reduced to its percentiles and
/// tables (1.2 kB per distinct op cost) before the thread moves on.
const SIGNIFICANT_DIGITS: u8 = 3;
const HIGHEST_NS: u64 = 3_600 * 1_000_000_000;

/// Requests at the start of a partition's run that are simulated but not
/// measured, so that the queue, which starts empty, can fill up: a tenth
/// of the measured count, and at least this many.
const MIN_WARMUP: u64 = 1_000;

/// An empty latency histogram in ns.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_NS, SIGNIFICANT_DIGITS)
        .expect("constant histogram bounds are valid")
}

/// Milliseconds as the histograms' nanoseconds.
#[inline]
fn ns(ms: f64) -> u64 {
    (ms * 1e6 + 0.5) as u64
}

/// Nanoseconds of a histogram bucket as milliseconds (the bucket's middle).
fn ms(hist: &Histogram<u64>, value: u64) -> f64 {
    hist.median_equivalent(value) as f64 * 1e-6
}

/// Unmeasured requests before `measured` measured ones.
pub fn warmup(measured: u64) -> u64 {
    (measured / 10).max(MIN_WARMUP)
}

/// Histograms reused from one partition to the next on a thread.
pub struct Scratch {
    own: Histogram<u64>,
    per_cost: Vec<Histogram<u64>>,
}

impl Scratch {
    /// Histograms for `costs` distinct op costs.
    pub fn new(costs: usize) -> Self {
        Self {
            own: new_histogram(),
            per_cost: if costs > 1 {
                (0..costs).map(|_| new_histogram()).collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// What every partition's run shares.
pub struct Setup<'a> {
    /// Workers per partition.
    pub workers: u32,
    /// Base service times.
    pub service: Service,
    /// Cost of each op class.
    pub costs: &'a [f64],
    /// The distinct costs, one table each.
    pub distinct_costs: &'a [f64],
    /// Levels of the tables.
    pub levels: &'a [f64],
}

/// One partition's results.
pub struct Outcome {
    /// Its percentiles.
    pub percentiles: Percentiles,
    /// Latency as an op of each distinct cost would see it; empty when the
    /// partition was not simulated.
    pub tables: Vec<Table>,
}

/// Simulates a partition whose classes arrive at `rates_per_ms` for
/// `measured` requests after the warm-up.
///
/// Besides each request's own latency (wait + cost·base), the latency
/// that an op of every other distinct cost would have seen at the same
/// instant, wait + cost′·base, feeds that cost's table: with Poisson
/// arrivals every class sees the same waits, and the base draw is
/// independent of the wait, so these are draws of that class's latency.
pub fn run(
    setup: &Setup<'_>,
    rates_per_ms: &[f64],
    utilization: f64,
    measured: u64,
    rng: &mut Rng,
    scratch: &mut Scratch,
) -> Outcome {
    let total: f64 = rates_per_ms.iter().sum();
    let mut cumulative = 0.0;
    let mut class_cdf: Vec<f64> = rates_per_ms
        .iter()
        .map(|r| {
            cumulative += r;
            cumulative / total
        })
        .collect();
    if let Some(last) = class_cdf.last_mut() {
        *last = 1.0;
    }
    let arrivals = Arrivals {
        rate_per_ms: total,
        class_cdf: &class_cdf,
        costs: setup.costs,
    };

    let Scratch { own, per_cost } = scratch;
    own.reset();
    per_cost.iter_mut().for_each(Histogram::reset);
    let mut service = setup.service.clone();
    let (mut sum_ms, mut max_ms) = (0.0, 0.0f64);
    queue::run(
        setup.workers,
        &arrivals,
        &mut service,
        rng,
        warmup(measured),
        measured,
        |r| {
            own.saturating_record(ns(r.latency_ms));
            sum_ms += r.latency_ms;
            max_ms = max_ms.max(r.latency_ms);
            for (hist, cost) in per_cost.iter_mut().zip(setup.distinct_costs) {
                hist.saturating_record(ns(r.wait_ms + cost * r.base_ms));
            }
        },
    );

    let [p50, p90, p99, p999]: [f64; 4] = {
        let mut q = own.value_at_quantiles([0.5, 0.9, 0.99, 0.999]);
        std::array::from_fn(|_| ms(own, q.next().unwrap_or(0)))
    };
    let percentiles = Percentiles {
        p50_ms: p50,
        p90_ms: p90,
        p99_ms: p99,
        p999_ms: p999,
        max_ms,
        mean_ms: sum_ms / measured as f64,
        utilization,
        saturated: false,
    };
    let tables = if per_cost.is_empty() {
        vec![Table::from_histogram(own, setup.levels)]
    } else {
        per_cost
            .iter()
            .map(|h| Table::from_histogram(h, setup.levels))
            .collect()
    };
    Outcome {
        percentiles,
        tables,
    }
}
