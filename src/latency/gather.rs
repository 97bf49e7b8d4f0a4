//! Query-level latency: from the latency distributions of single
//! partitions to the latency of queries, which may touch many.
//!
//! Each simulated partition leaves one [`Table`] per distinct op cost: its
//! latency distribution kept as quantiles at fixed levels, dense in the
//! tail. [`query_latency`] combines the tables into the CDF of query
//! latency on a log-spaced grid of latencies, exactly for the model rather
//! than by sampling queries. Every grid point sums in a fixed order
//! (classes, then partitions or sets in index order), so the result does
//! not depend on how the grid is split among threads.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use rayon::prelude::*;

use crate::strategy::Touch;

/// Table levels u_j = 1 − 2^(−j/16) for j = 0..=16·18, then 1: 16 levels
/// per halving of the tail probability, down to about 4·10⁻⁶, so that a
/// product over thousands of partitions still reads its factors from
/// measured quantiles.
const LEVELS_PER_HALVING: u32 = 16;
const TAIL_HALVINGS: u32 = 18;

/// Points of the latency grid of the query-level CDF: log-spaced, so the
/// step is a fixed ratio (0.34 % over six decades).
const GRID_POINTS: usize = 4096;

/// The grid spans at most this ratio below the largest latency; smaller
/// latencies are read as this floor.
const GRID_DECADES: f64 = 6.0;

/// Grid points per parallel task.
const GRID_CHUNK: usize = 256;

/// At most this many partition-table evaluations per class of scatter
/// queries (summed over the distinct touch sets kept); larger samples are
/// thinned evenly.
const MAX_TOUCHED_PER_CLASS: usize = 1 << 14;

/// The quantile levels of every [`Table`], ascending from 0 to 1.
pub fn table_levels() -> Vec<f64> {
    let steps = LEVELS_PER_HALVING * TAIL_HALVINGS;
    let mut levels: Vec<f64> = (0..=steps)
        .map(|j| 1.0 - (-(j as f64) / LEVELS_PER_HALVING as f64).exp2())
        .collect();
    levels.push(1.0);
    levels
}

/// One latency distribution, kept as its values (ms) at [`table_levels`].
#[derive(Clone, Debug)]
pub struct Table {
    ms: Box<[f32]>,
}

impl Table {
    /// The quantiles of a histogram of ns; each value is the middle of
    /// its histogram bucket. The quantile at u is the ⌈u·n⌉-th smallest
    /// of the n recorded values.
    pub fn from_histogram(hist: &Histogram<u64>, levels: &[f64]) -> Self {
        let ms = hist
            .value_at_quantiles(levels.iter().copied())
            .map(|v| (hist.median_equivalent(v) as f64 * 1e-6) as f32)
            .collect();
        Self { ms }
    }

    fn min(&self) -> f64 {
        self.ms[0] as f64
    }

    fn max(&self) -> f64 {
        self.ms[self.ms.len() - 1] as f64
    }

    /// Calls `put(i, F(xs\[i\]))` for ascending `xs`, where F interpolates
    /// linearly between the table's points: for Q_j ≤ x < Q_{j+1} (j the
    /// last such index), F(x) = u_j + (u_{j+1} − u_j)(x − Q_j)/(Q_{j+1} − Q_j).
    fn cdf_at(&self, levels: &[f64], xs: &[f64], mut put: impl FnMut(usize, f64)) {
        let q = &self.ms;
        let n = q.len();
        let mut j = q.partition_point(|&v| v as f64 <= xs[0]);
        for (i, &x) in xs.iter().enumerate() {
            while j < n && q[j] as f64 <= x {
                j += 1;
            }
            let f = if j == 0 {
                0.0
            } else if j == n {
                1.0
            } else {
                let (lo, hi) = (q[j - 1] as f64, q[j] as f64);
                levels[j - 1] + (levels[j] - levels[j - 1]) * (x - lo) / (hi - lo)
            };
            put(i, f);
        }
    }
}

/// The partitions one class of queries reaches.
#[derive(Clone, Debug)]
pub enum Reach {
    /// Each query touches one partition; `(partition, share of queries)`.
    One(Vec<(u32, f64)>),
    /// Queries touch sets of partitions; `(set, share of queries)`.
    Sets(Vec<(TouchSet, f64)>),
}

/// One class of queries.
#[derive(Clone, Debug)]
pub struct QueryClass {
    /// Share of all queries.
    pub weight: f64,
    /// Which of each partition's tables holds this class's latency.
    pub table: usize,
    /// The partitions it touches.
    pub reach: Reach,
}

/// A touch set in canonical form: ranges for `One`, `Span` and `All`,
/// sorted distinct ids for `Set`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TouchSet {
    /// The partitions `first..=last`.
    Range(u32, u32),
    /// These partitions, ascending.
    List(Vec<u32>),
}

impl TouchSet {
    /// The canonical form of `touch` over `partitions`; ids out of range
    /// are dropped, and `None` means nothing is left.
    pub fn of(touch: &Touch, partitions: u32) -> Option<Self> {
        let last = partitions.checked_sub(1)?;
        let set = match touch {
            Touch::One(p) => TouchSet::Range(*p, *p),
            Touch::Span(a, b) => TouchSet::Range(*a.min(b), (*a.max(b)).min(last)),
            Touch::All => TouchSet::Range(0, last),
            Touch::Set(ids) => {
                let mut ids: Vec<u32> = ids.iter().copied().filter(|&p| p <= last).collect();
                ids.sort_unstable();
                ids.dedup();
                match ids.as_slice() {
                    [] => return None,
                    [p] => TouchSet::Range(*p, *p),
                    _ => TouchSet::List(ids),
                }
            }
        };
        match set {
            TouchSet::Range(a, b) if a > b || a > last => None,
            s => Some(s),
        }
    }

    /// Number of partitions in the set.
    pub fn len(&self) -> usize {
        match self {
            TouchSet::Range(a, b) => (b - a + 1) as usize,
            TouchSet::List(ids) => ids.len(),
        }
    }

    fn for_each(&self, mut f: impl FnMut(u32)) {
        match self {
            TouchSet::Range(a, b) => (*a..=*b).for_each(&mut f),
            TouchSet::List(ids) => ids.iter().for_each(|&p| f(p)),
        }
    }
}

/// The distinct sets of a sample of touches with their shares of the
/// sample, and the mean number of partitions a query touches. Samples
/// whose distinct sets add up to more than [`MAX_TOUCHED_PER_CLASS`]
/// partitions are thinned to every k-th touch, k a power of two.
pub fn distinct_sets(sample: &[Touch], partitions: u32) -> (Vec<(TouchSet, f64)>, f64) {
    let sets: Vec<TouchSet> = sample
        .iter()
        .filter_map(|t| TouchSet::of(t, partitions))
        .collect();
    let mean_len = if sets.is_empty() {
        0.0
    } else {
        sets.iter().map(|s| s.len() as u64).sum::<u64>() as f64 / sets.len() as f64
    };

    let mut stride = 1;
    loop {
        let mut counts: BTreeMap<&TouchSet, u64> = BTreeMap::new();
        for s in sets.iter().step_by(stride) {
            *counts.entry(s).or_default() += 1;
        }
        let cost: usize = counts.keys().map(|s| s.len()).sum();
        if cost <= MAX_TOUCHED_PER_CLASS || counts.len() == 1 {
            let total: u64 = counts.values().sum();
            let shares = counts
                .into_iter()
                .map(|(s, c)| (s.clone(), c as f64 / total as f64))
                .collect();
            return (shares, mean_len);
        }
        stride *= 2;
    }
}

/// A latency distribution as its CDF on an ascending grid of ms.
#[derive(Clone, Debug)]
pub struct Distribution {
    xs: Vec<f64>,
    cdf: Vec<f64>,
}

impl Distribution {
    /// The latency at quantile q: the first grid point where F ≥ q, with
    /// linear interpolation from the point before it.
    pub fn quantile(&self, q: f64) -> f64 {
        let i = self.cdf.partition_point(|&f| f < q);
        if i == 0 {
            return self.xs[0];
        }
        if i == self.xs.len() {
            return self.xs[i - 1];
        }
        let (f0, f1) = (self.cdf[i - 1], self.cdf[i]);
        let (x0, x1) = (self.xs[i - 1], self.xs[i]);
        x0 + (x1 - x0) * (q - f0) / (f1 - f0)
    }

    /// The mean: x₀ + ∫ (1 − F(x)) dx over the grid, by the trapezoid rule,
    /// x₀ being the smallest latency.
    pub fn mean(&self) -> f64 {
        let mut area = 0.0;
        for i in 1..self.xs.len() {
            let survival = 1.0 - (self.cdf[i - 1] + self.cdf[i]) / 2.0;
            area += survival * (self.xs[i] - self.xs[i - 1]);
        }
        self.xs[0] + area
    }

    /// The largest latency.
    pub fn max(&self) -> f64 {
        self.xs[self.xs.len() - 1]
    }
}

/// The query latency of a mix of classes; `tables\[p\]` holds partition p's
/// tables (empty for a partition that served nothing, which then adds
/// nothing to a query's latency). `None` when no class has queries.
///
/// With F_p the CDF of partition p's latency (for the class's cost):
/// - a class whose queries touch one partition, partition p receiving the
///   share π_p of them: F(x) = Σ_p π_p·F_p(x);
/// - a class whose queries touch sets T, with shares w_T: a query ends when
///   its slowest partition answers, and partitions are independent, so
///   F(x) = Σ_T w_T·Π_{p∈T} F_p(x);
/// - all classes together: F(x) = Σ_c w_c·F_c(x), w_c the class's share of
///   queries.
pub fn query_latency(
    classes: &[QueryClass],
    tables: &[Vec<Table>],
    levels: &[f64],
) -> Option<Distribution> {
    let used = |p: u32, t: usize| tables.get(p as usize).and_then(|ts| ts.get(t));
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for class in classes {
        let mut widen = |p: u32| {
            if let Some(t) = used(p, class.table) {
                lo = lo.min(t.min());
                hi = hi.max(t.max());
            }
        };
        match &class.reach {
            Reach::One(shares) => shares.iter().for_each(|&(p, _)| widen(p)),
            Reach::Sets(sets) => sets.iter().for_each(|(s, _)| s.for_each(&mut widen)),
        }
    }
    if hi <= 0.0 || lo > hi {
        return None;
    }

    let xs = log_grid(lo.max(hi * 10f64.powf(-GRID_DECADES)), hi);
    let mut cdf = vec![0.0; xs.len()];
    cdf.par_chunks_mut(GRID_CHUNK)
        .zip(xs.par_chunks(GRID_CHUNK))
        .for_each(|(out, xs)| {
            let mut class_cdf = vec![0.0; xs.len()];
            let mut product = vec![0.0; xs.len()];
            for class in classes {
                class_cdf.fill(0.0);
                match &class.reach {
                    Reach::One(shares) => {
                        for &(p, share) in shares {
                            match used(p, class.table) {
                                Some(t) => t.cdf_at(levels, xs, |i, f| class_cdf[i] += share * f),
                                None => class_cdf.iter_mut().for_each(|c| *c += share),
                            }
                        }
                    }
                    Reach::Sets(sets) => {
                        for (set, share) in sets {
                            product.fill(1.0);
                            set.for_each(|p| {
                                if let Some(t) = used(p, class.table) {
                                    t.cdf_at(levels, xs, |i, f| product[i] *= f);
                                }
                            });
                            for (c, f) in class_cdf.iter_mut().zip(&product) {
                                *c += share * f;
                            }
                        }
                    }
                }
                for (o, c) in out.iter_mut().zip(&class_cdf) {
                    *o += class.weight * c;
                }
            }
        });
    Some(Distribution { xs, cdf })
}

/// [`GRID_POINTS`] latencies from `lo` to `hi` at a constant ratio; one
/// point when they coincide.
fn log_grid(lo: f64, hi: f64) -> Vec<f64> {
    if hi <= lo {
        return vec![hi];
    }
    let ratio = hi / lo;
    let last = (GRID_POINTS - 1) as f64;
    let mut xs: Vec<f64> = (0..GRID_POINTS)
        .map(|i| lo * ratio.powf(i as f64 / last))
        .collect();
    xs[GRID_POINTS - 1] = hi;
    xs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn histogram() -> Histogram<u64> {
        Histogram::new_with_bounds(1, 3_600_000_000_000, 3).unwrap()
    }

    /// Exponential latencies with the given mean (ms), recorded in ns.
    fn exponential(hist: &mut Histogram<u64>, mean_ms: f64, n: usize, rng: &mut Rng) {
        for _ in 0..n {
            let ms = -mean_ms * rng.next_f64_open0().ln();
            hist.saturating_record((ms * 1e6).round() as u64);
        }
    }

    fn ms(hist: &Histogram<u64>, q: f64) -> f64 {
        hist.median_equivalent(hist.value_at_quantile(q)) as f64 * 1e-6
    }

    #[test]
    fn table_levels_rise_from_zero_to_one() {
        let levels = table_levels();
        assert_eq!(levels[0], 0.0);
        assert_eq!(*levels.last().unwrap(), 1.0);
        assert!(levels.windows(2).all(|w| w[0] < w[1]));
    }

    /// Merging per-partition distributions: partitions with different
    /// loads (means 1, 2 and 4 ms, with 20k, 40k and 80k requests, as over
    /// one common window) pooled by their shares of the requests give the
    /// percentiles of one histogram holding every request, within 1 %.
    #[test]
    fn merging_partitions_matches_one_histogram_of_all_requests() {
        let levels = table_levels();
        let mut pooled = histogram();
        let mut tables = Vec::new();
        let mut shares = Vec::new();
        for (p, (mean, n)) in [(1.0, 20_000), (2.0, 40_000), (4.0, 80_000)]
            .iter()
            .enumerate()
        {
            let mut own = histogram();
            let mut copy = Rng::from_seed(100 + p as u64);
            exponential(&mut own, *mean, *n, &mut copy);
            let mut copy = Rng::from_seed(100 + p as u64);
            exponential(&mut pooled, *mean, *n, &mut copy);
            tables.push(vec![Table::from_histogram(&own, &levels)]);
            shares.push((p as u32, *n as f64 / 140_000.0));
        }
        let class = QueryClass {
            weight: 1.0,
            table: 0,
            reach: Reach::One(shares),
        };
        let merged = query_latency(&[class], &tables, &levels).unwrap();
        for q in [0.1, 0.5, 0.9, 0.99, 0.999] {
            let (a, b) = (merged.quantile(q), ms(&pooled, q));
            assert!((a - b).abs() / b < 0.01, "q {q}: merged {a} vs pooled {b}");
        }
        let mean = pooled.mean() * 1e-6;
        assert!((merged.mean() - mean).abs() / mean < 0.01);
    }

    /// The slowest of k independent exponential(1) latencies has CDF
    /// (1 − e^(−x))^k, so its median is −ln(1 − 0.5^(1/k)).
    #[test]
    fn a_query_over_k_partitions_waits_for_the_slowest() {
        let levels = table_levels();
        let mut rng = Rng::from_seed(12);
        let k = 8;
        let tables: Vec<Vec<Table>> = (0..k)
            .map(|_| {
                let mut h = histogram();
                exponential(&mut h, 1.0, 100_000, &mut rng);
                vec![Table::from_histogram(&h, &levels)]
            })
            .collect();
        let (sets, mean_len) = distinct_sets(&[Touch::All, Touch::All], k);
        assert_eq!(mean_len, k as f64);
        assert_eq!(sets.len(), 1);
        let class = QueryClass {
            weight: 1.0,
            table: 0,
            reach: Reach::Sets(sets),
        };
        let dist = query_latency(&[class], &tables, &levels).unwrap();
        for q in [0.5f64, 0.9, 0.99] {
            let expected = -(1.0 - q.powf(1.0 / k as f64)).ln();
            let got = dist.quantile(q);
            assert!(
                (got - expected).abs() / expected < 0.02,
                "q {q}: {got} vs {expected}"
            );
        }
    }

    #[test]
    fn touch_sets_are_canonical() {
        let n = 10;
        assert_eq!(TouchSet::of(&Touch::One(3), n), Some(TouchSet::Range(3, 3)));
        assert_eq!(TouchSet::of(&Touch::All, n), Some(TouchSet::Range(0, 9)));
        assert_eq!(
            TouchSet::of(&Touch::Span(8, 12), n),
            Some(TouchSet::Range(8, 9))
        );
        let set = Touch::Set(vec![7, 2, 7, 40]);
        assert_eq!(TouchSet::of(&set, n), Some(TouchSet::List(vec![2, 7])));
        assert_eq!(TouchSet::of(&Touch::Set(vec![40]), n), None);
        assert_eq!(TouchSet::of(&Touch::One(10), n), None);
    }

    #[test]
    fn large_touch_samples_are_thinned_to_the_budget() {
        let n = 4096;
        let sample: Vec<Touch> = (0..1000).map(|i| Touch::Span(i, i + 99)).collect();
        let (sets, mean_len) = distinct_sets(&sample, n);
        assert_eq!(mean_len, 100.0);
        let cost: usize = sets.iter().map(|(s, _)| s.len()).sum();
        assert!(
            cost <= MAX_TOUCHED_PER_CLASS && sets.len() >= 100,
            "{}",
            sets.len()
        );
        let total: f64 = sets.iter().map(|(_, w)| w).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}
