//! Bounded Zipf: key k in `0..n` (rank k+1) with probability exactly
//! `(k+1)^-s / H(n, s)`, where `H(n, s) = Σ_{r=1}^{n} r^-s`.
//!
//! # Sampler
//!
//! The ranks are cut into cells. The first ranks, the head, are one cell
//! each; above them, each cell is a run of ranks `[a, b]` short enough that
//! the weight falls by at most a factor [`Layout::ratio`] across it
//! (`(b/a)^s ≤ ratio`), so the cells grow geometrically and a few thousand
//! cover even n = 2^63. One [`AliasTable`] over the cells, with weights
//! equal to each cell's envelope `(b - a + 1) · a^-s`, picks a cell with a
//! single random word. A head cell is the answer. In a wider cell a rank is
//! drawn uniformly and accepted with probability `(a/r)^s`; a precomputed
//! squeeze `(a/b)^s` accepts about 99% of draws without computing a
//! power. A rejected draw starts over from the cell choice. Each attempt
//! therefore yields rank r with probability ∝ `a^-s · (a/r)^s = r^-s`, so
//! the output is exactly Zipf whatever the cell masses are; only the
//! envelope weights enter the table, and they are single products.
//!
//! Far in the tail (for s > 1) the cells would keep multiplying while
//! carrying almost no mass, so once the envelope of all remaining ranks is
//! below 2^-24 of the total, they become one last cell. It is chosen at
//! most once in 16 million draws and is still sampled exactly (its
//! acceptance rate is low, which costs nothing measurable).
//!
//! A draw costs one random word and one table load in the head, and three
//! words, two loads and a comparison elsewhere: a few nanoseconds. Setup is
//! linear in the number of cells (well under a millisecond).
//!
//! # Why not `rand_distr::Zipf`
//!
//! `rand_distr::Zipf` samples by rejection-inversion (Hörmann and
//! Derflinger, 1996): no setup, but two or three transcendental functions
//! per draw (about 200 ns per sample on a typical server core, against a
//! few ns here), and its output stream is tied to rand_distr's version.
//! This sampler's stream depends only on this file and on [`Rng`].

use crate::generator::Generator;
use crate::generator::alias::AliasTable;
use crate::generator::power_sum::power_sum;
use crate::generator::scatter::Scatter;
use crate::rng::Rng;

/// How the ranks are cut into cells.
#[derive(Clone, Copy, Debug)]
struct Layout {
    /// The table has at most 2^cells_log2 cells (more only for extreme s).
    cells_log2: u32,
    /// Largest ratio between the weights of the first and last rank of a
    /// cell; the acceptance rate within a cell is at least 1/ratio.
    ratio: f64,
    /// The remaining ranks become one cell once their envelope is below
    /// this share of the envelope so far.
    tail_share: f64,
}

/// The layout used by [`Zipf::new`]: 8192 cells fit the table (64 KiB) in
/// the L1 and L2 caches, and a weight ratio of 1 + 1/64 keeps the squeeze
/// rate near 99%.
const LAYOUT: Layout = Layout {
    cells_log2: 13,
    ratio: 1.0 + 1.0 / 64.0,
    tail_share: 1.0 / (1u64 << 24) as f64,
};

/// A run of keys `first..first + width` sampled by rejection.
#[derive(Clone, Copy, Debug)]
struct Span {
    /// Its first key (rank `first + 1`).
    first: u64,
    /// Its number of keys.
    width: u64,
    /// A draw `u` accepts at once when `u < squeeze` (the least acceptance
    /// probability, in units of 2^-64).
    squeeze: u64,
}

/// Bounded Zipf over keys `0..n` with exponent s.
#[derive(Clone, Debug)]
pub struct Zipf {
    n: u64,
    s: f64,
    /// Picks a cell: `0..head` are keys, the others index `spans`.
    cells: AliasTable,
    head: usize,
    spans: Box<[Span]>,
    /// H(n, s).
    norm: f64,
}

impl Zipf {
    /// Zipf over `0..n`: n ≥ 1 (up to 2^64 - 1), s finite and > 0.
    pub fn new(n: u64, s: f64) -> Result<Self, String> {
        check(n, s)?;
        Ok(Self::with_layout(n, s, LAYOUT))
    }

    /// The sampler for valid `n` and `s`.
    fn with_layout(n: u64, s: f64, layout: Layout) -> Self {
        let budget = 1usize << layout.cells_log2;
        let (head, spans) = if n <= budget as u64 {
            (n as usize, Vec::new())
        } else {
            // More head cells leave fewer spans; fill the budget with both.
            let trial = spans_after(n, s, budget as u64 / 2, layout).len();
            let head = budget.saturating_sub(trial).max(budget / 2);
            (head, spans_after(n, s, head as u64, layout))
        };

        let mut weights: Vec<f64> = (1..=head).map(|r| (r as f64).powf(-s)).collect();
        weights.extend(spans.iter().map(|sp| envelope(sp.first, sp.width, s)));
        let cells = AliasTable::new(&weights).expect("Zipf cell weights are positive");

        Self {
            n,
            s,
            cells,
            head,
            spans: spans.into_boxed_slice(),
            norm: power_sum(1, n, s),
        }
    }

    /// Key space size n.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Exponent s.
    pub fn s(&self) -> f64 {
        self.s
    }

    /// One key in `0..n`.
    #[inline(always)]
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        loop {
            let cell = self.cells.sample(rng);
            if cell < self.head {
                return cell as u64;
            }
            let span = self.spans[cell - self.head];
            let key = span.first + rng.below(span.width);
            let u = rng.next_u64();
            if u < span.squeeze || self.accepts(span.first, key, u) {
                return key;
            }
        }
    }

    /// The exact test behind the squeeze: accept `key` of a span starting
    /// at `first` with probability `((first+1)/(key+1))^s`.
    #[cold]
    fn accepts(&self, first: u64, key: u64, u: u64) -> bool {
        let ratio = ((first + 1) as f64 / (key + 1) as f64).powf(self.s);
        ((u >> 11) as f64) * f64::EPSILON / 2.0 < ratio
    }

    /// Probability of key `k`: `(k+1)^-s / H(n, s)` (0 outside `0..n`).
    pub fn pmf(&self, k: u64) -> f64 {
        if k >= self.n {
            return 0.0;
        }
        ((k + 1) as f64).powf(-self.s) / self.norm
    }

    /// Probability of a key in `lo..hi`: `Σ_{r=lo+1}^{hi} r^-s / H(n, s)`.
    pub fn mass(&self, lo: u64, hi: u64) -> f64 {
        let hi = hi.min(self.n);
        if hi <= lo {
            return 0.0;
        }
        power_sum(lo + 1, hi, self.s) / self.norm
    }

    /// Number of cells in the alias table (head ranks plus spans).
    pub fn cells(&self) -> usize {
        self.cells.len()
    }
}

/// Rejects parameters the sampler cannot take.
fn check(n: u64, s: f64) -> Result<(), String> {
    if n == 0 {
        return Err("zipf needs n ≥ 1 keys".to_string());
    }
    if !(s.is_finite() && s > 0.0) {
        return Err(format!("zipf exponent s = {s}; it must be finite and > 0"));
    }
    Ok(())
}

/// Envelope mass of a span: its width times the weight of its first rank.
fn envelope(first: u64, width: u64, s: f64) -> f64 {
    width as f64 * ((first + 1) as f64).powf(-s)
}

/// The spans covering keys `head..n` (see the module doc).
fn spans_after(n: u64, s: f64, head: u64, layout: Layout) -> Vec<Span> {
    let growth = layout.ratio.powf(1.0 / s);
    let mut total = power_sum(1, head, s);
    let mut spans = Vec::new();
    let mut first = head;
    while first < n {
        let rank = (first + 1) as f64;
        let remaining = envelope(first, n - first, s);
        let end = if remaining <= layout.tail_share * total {
            n
        } else {
            // Last rank b with (b/a)^s ≤ ratio is floor(a · growth); the
            // span's keys end before key b.
            ((rank * growth) as u64).clamp(first + 1, n)
        };
        let width = end - first;
        let least = (rank / end as f64).powf(s) * (1.0 - f64::EPSILON * 4.0);
        spans.push(Span {
            first,
            width,
            squeeze: (least * 2f64.powi(64)) as u64,
        });
        total += envelope(first, width, s);
        first = end;
    }
    spans
}

impl Generator for Zipf {
    fn sample(&self, rng: &mut Rng, _index: u64) -> u64 {
        Zipf::sample(self, rng)
    }

    fn fill(&self, rng: &mut Rng, _start: u64, out: &mut [u64]) {
        for v in out.iter_mut() {
            *v = Zipf::sample(self, rng);
        }
    }

    fn domain(&self, _events: u64) -> (u64, u64) {
        (0, self.n)
    }
}

/// Zipf whose ranks are scattered over the key space: key = `scatter(rank
/// key)` for a fixed pseudo-random bijection of `0..n` (see [`Scatter`]),
/// so the hot keys are spread out instead of being `0, 1, 2, …`.
#[derive(Clone, Debug)]
pub struct ScrambledZipf {
    zipf: Zipf,
    scatter: Scatter,
}

impl ScrambledZipf {
    /// Scrambled Zipf over `0..n` (same parameters as [`Zipf::new`]).
    pub fn new(n: u64, s: f64) -> Result<Self, String> {
        Ok(Self {
            zipf: Zipf::new(n, s)?,
            scatter: Scatter::new(n),
        })
    }

    /// The key of rank `r` (1-based) is `scatter(r - 1)`.
    pub fn scatter(&self) -> &Scatter {
        &self.scatter
    }
}

impl Generator for ScrambledZipf {
    fn sample(&self, rng: &mut Rng, _index: u64) -> u64 {
        self.scatter.apply(self.zipf.sample(rng))
    }

    fn fill(&self, rng: &mut Rng, _start: u64, out: &mut [u64]) {
        for v in out.iter_mut() {
            *v = self.scatter.apply(self.zipf.sample(rng));
        }
    }

    fn domain(&self, _events: u64) -> (u64, u64) {
        (0, self.zipf.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::testing::assert_fits;

    /// Counts of `draws` samples in the bins `[edges[i], edges[i+1])`, with
    /// the exact bin probabilities.
    fn binned(zipf: &Zipf, edges: &[u64], draws: usize, seed: u64) -> (Vec<u64>, Vec<f64>) {
        let mut rng = Rng::from_seed(seed);
        let mut counts = vec![0u64; edges.len() - 1];
        let mut out = vec![0u64; draws];
        Generator::fill(zipf, &mut rng, 0, &mut out);
        for &k in &out {
            assert!(k < zipf.n(), "key {k} outside 0..{}", zipf.n());
            counts[edges.partition_point(|&e| e <= k) - 1] += 1;
        }
        let probs = edges.windows(2).map(|w| zipf.mass(w[0], w[1])).collect();
        (counts, probs)
    }

    /// Bin edges: each key up to `fine`, then `per_octave` bins per doubling.
    fn edges(n: u64, fine: u64, per_octave: u32) -> Vec<u64> {
        let mut e: Vec<u64> = (0..fine.min(n)).collect();
        let step = 2f64.powf(1.0 / per_octave as f64);
        let mut x = fine as f64;
        while (x as u64) < n {
            if e.last() != Some(&(x as u64)) {
                e.push(x as u64);
            }
            x *= step;
        }
        e.push(n);
        e
    }

    fn assert_zipf_fits(n: u64, s: f64, draws: usize, seed: u64) {
        let zipf = Zipf::new(n, s).unwrap();
        let (counts, probs) = binned(&zipf, &edges(n, 64, 8), draws, seed);
        assert_fits(&counts, &probs, &format!("Zipf(n={n}, s={s})"));
    }

    #[test]
    fn fits_below_one_exponent() {
        assert_zipf_fits(1_000_000, 0.5, 200_000, 1);
    }

    #[test]
    fn fits_unit_exponent() {
        assert_zipf_fits(1_000_000, 1.0, 200_000, 2);
    }

    #[test]
    fn fits_above_one_exponent() {
        assert_zipf_fits(1_000_000, 1.5, 200_000, 3);
    }

    #[test]
    fn fits_ten_million_keys_near_one() {
        assert_zipf_fits(10_000_000, 0.99, 300_000, 4);
    }

    #[test]
    fn fits_small_key_space_rank_by_rank() {
        let zipf = Zipf::new(50, 1.2).unwrap();
        let edges: Vec<u64> = (0..=50).collect();
        let (counts, probs) = binned(&zipf, &edges, 100_000, 5);
        assert_fits(&counts, &probs, "Zipf(50, 1.2) by rank");
    }

    /// Wide cells (weight ratio 2) over a small space make rejection
    /// visible rank by rank: a wrong acceptance rule would bend the counts
    /// inside each cell.
    #[test]
    fn rejection_within_wide_cells_is_exact() {
        for (s, seed) in [(0.7, 6), (2.0, 7)] {
            let layout = Layout {
                cells_log2: 2,
                ratio: 2.0,
                tail_share: 0.0,
            };
            let zipf = Zipf::with_layout(300, s, layout);
            assert!(
                zipf.spans.iter().any(|sp| sp.width > 20),
                "cells too narrow"
            );
            let edges: Vec<u64> = (0..=300).collect();
            let (counts, probs) = binned(&zipf, &edges, 200_000, seed);
            assert_fits(&counts, &probs, &format!("wide-cell Zipf(300, {s})"));
        }
    }

    /// The collapsed tail cell (low acceptance) still samples exactly.
    #[test]
    fn collapsed_tail_cell_is_exact() {
        let layout = Layout {
            cells_log2: 2,
            ratio: 1.5,
            tail_share: 0.05,
        };
        let zipf = Zipf::with_layout(400, 2.5, layout);
        let last = zipf.spans.last().unwrap();
        assert_eq!(last.first + last.width, 400);
        assert!(last.width > 100, "tail not collapsed: {last:?}");
        let (counts, probs) = binned(&zipf, &edges(400, 16, 4), 200_000, 8);
        assert_fits(&counts, &probs, "Zipf(400, 2.5) with a collapsed tail");
    }

    #[test]
    fn huge_key_space_is_in_range_with_exact_head() {
        let n = 1u64 << 40;
        for (s, seed) in [(0.8, 9), (1.1, 10)] {
            let zipf = Zipf::new(n, s).unwrap();
            assert!(zipf.cells() <= 1 << 13, "{} cells", zipf.cells());
            let mut e: Vec<u64> = (0..32).collect();
            e.extend([1 << 10, 1 << 20, 1 << 30, n]);
            let (counts, probs) = binned(&zipf, &e, 100_000, seed);
            assert_fits(&counts, &probs, &format!("Zipf(2^40, {s}) head"));
        }
    }

    #[test]
    fn largest_key_space_builds_quickly_and_stays_in_range() {
        for s in [0.01, 1.0, 3.0, 40.0] {
            let zipf = Zipf::new(u64::MAX, s).unwrap();
            let mut rng = Rng::from_seed(12);
            for _ in 0..1000 {
                zipf.sample(&mut rng);
            }
            assert!(zipf.mass(0, u64::MAX) > 0.999_999_999);
        }
    }

    #[test]
    fn tiny_and_extreme_exponents_fit() {
        for (s, seed) in [(1e-6, 13), (6.0, 14)] {
            let zipf = Zipf::new(2000, s).unwrap();
            let (counts, probs) = binned(&zipf, &edges(2000, 16, 8), 100_000, seed);
            assert_fits(&counts, &probs, &format!("Zipf(2000, {s})"));
        }
    }

    #[test]
    fn pmf_sums_to_one() {
        let zipf = Zipf::new(1000, 0.9).unwrap();
        let sum: f64 = (0..1000).map(|k| zipf.pmf(k)).sum();
        assert!((sum - 1.0).abs() < 1e-13);
        assert!((zipf.mass(0, 1000) - 1.0).abs() < 1e-13);
        assert_eq!(zipf.pmf(1000), 0.0);
    }

    #[test]
    fn invalid_parameters_are_errors() {
        assert!(Zipf::new(0, 1.0).is_err());
        assert!(Zipf::new(10, 0.0).is_err());
        assert!(Zipf::new(10, -1.0).is_err());
        assert!(Zipf::new(10, f64::NAN).is_err());
        assert!(Zipf::new(10, f64::INFINITY).is_err());
    }

    #[test]
    fn scrambled_ranks_fit_zipf() {
        let n = 5000;
        let scrambled = ScrambledZipf::new(n, 1.0).unwrap();
        let mut rank_of = vec![0u64; n as usize];
        for r in 0..n {
            rank_of[scrambled.scatter().apply(r) as usize] = r;
        }
        let mut rng = Rng::from_seed(15);
        let mut out = vec![0u64; 100_000];
        scrambled.fill(&mut rng, 0, &mut out);
        let e = edges(n, 64, 8);
        let mut counts = vec![0u64; e.len() - 1];
        for &k in &out {
            let r = rank_of[k as usize];
            counts[e.partition_point(|&x| x <= r) - 1] += 1;
        }
        let zipf = Zipf::new(n, 1.0).unwrap();
        let probs: Vec<f64> = e.windows(2).map(|w| zipf.mass(w[0], w[1])).collect();
        assert_fits(&counts, &probs, "scrambled Zipf by rank");
        assert_ne!(scrambled.scatter().apply(0), 0, "rank 1 left at key 0");
    }
}
