//! Bounded Zipf: key k in `0..n` (rank k+1) with probability exactly
//! `(k+1)^-s / H(n, s)`, where `H(n, s) = Σ_{r=1}^{n} r^-s`.
//!
//! # Sampler
//!
//! The ranks are cut into cells of 2^j consecutive ranks. The first few
//! thousand ranks (the head) are one cell each. Above them, each cell
//! `[a, a + 2^j)` is the widest power of two across which the weight falls
//! by at most a factor 1 + 1/64, so the cells grow geometrically and a few
//! thousand cover even n = 2^64 - 1. A draw:
//!
//! 1. picks a cell with one random word, from an [`AliasTable`] whose
//!    weights are the cells' envelopes `2^j · a^-s`;
//! 2. takes a second word: its low j bits are the rank's offset r - a in
//!    the cell, its top bits (at most 32) an acceptance number;
//! 3. accepts r with probability `(a/r)^s`: at once when the acceptance
//!    number is below a precomputed squeeze `(a / (a + 2^j - 1))^s`, which
//!    covers about 99% of draws, and otherwise by the exact test in
//!    `Zipf::accepts`. A rejected draw starts over at step 1.
//!
//! Each attempt yields rank r with probability ∝ `2^j a^-s · 2^-j ·
//! (a/r)^s = r^-s`, so the output is Zipf whatever the cells' true masses
//! are: only envelopes enter the table, each a single product, and the
//! result is exact up to the table's resolution of 2^-64 and the test's of
//! 2^-53. When the head holds most of the mass (s well above 1), a head
//! cell returns its key without the second word.
//!
//! Far in the tail (for s > 1) the cells would keep multiplying while
//! carrying almost no mass, so once the envelope of all remaining ranks is
//! below 2^-24 of the envelope so far, the rest is cut only into the
//! largest powers of two that fit before n. Those cells are chosen less
//! than once in 16 million draws and still sampled exactly (with a low
//! acceptance rate, which costs nothing measurable).
//!
//! A draw costs two random words and two table loads, about 5 ns on the
//! machine the bench ran on. Setup takes well under a millisecond; the
//! tables take 24 bytes per cell, 96 KiB for the usual 4096 cells (up to
//! about 200 KiB for the widest key spaces).
//!
//! # Why not `rand_distr::Zipf`
//!
//! `rand_distr::Zipf` samples by rejection-inversion (Hörmann and
//! Derflinger, 1996): no setup, but several transcendental functions per
//! draw (about 80 ns per sample in `benches/generators.rs`, against about
//! 5 ns here), and its output stream is tied to rand_distr's version. This
//! sampler's stream depends only on this file and on [`Rng`].

use crate::generator::Generator;
use crate::generator::alias::AliasTable;
use crate::generator::power_sum::power_sum;
use crate::generator::scatter::Scatter;
use crate::rng::Rng;

/// How the ranks are cut into cells.
#[derive(Clone, Copy, Debug)]
struct Layout {
    /// Head and body share 2^cells_log2 cells (the body alone may take
    /// more for extreme s).
    cells_log2: u32,
    /// Largest ratio between the weights of the first and last rank of a
    /// cell; the acceptance rate within a cell is at least 1/ratio.
    ratio: f64,
    /// The remaining ranks are cut only by the key space's end once their
    /// envelope is below this share of the envelope so far.
    tail_share: f64,
}

/// The layout used by [`Zipf::new`]. With 4096 cells the tables (96 KiB)
/// stay in the L2 cache; 2048 or 8192 cells measured the same speed. A
/// weight ratio of 1 + 1/64 keeps the squeeze rate near 99% (1 + 1/32 was
/// slightly slower).
const LAYOUT: Layout = Layout {
    cells_log2: 12,
    ratio: 1.0 + 1.0 / 64.0,
    tail_share: 1.0 / (1u64 << 24) as f64,
};

/// When the head cells hold at least this share of the draws, a head cell
/// returns its key without drawing the second word. Below it, the branch
/// would be mispredicted too often to pay for the word it saves.
const HEAD_BRANCH_SHARE: f64 = 0.8;

/// Bits of the acceptance word taken from the cell draw (at most).
const ACCEPT_BITS: u32 = 32;

/// A run of 2^bits keys from `first`, drawn uniformly and accepted with
/// probability `((first+1)/(key+1))^s`.
#[derive(Clone, Copy, Debug)]
struct Cell {
    /// Its first key (rank `first + 1`).
    first: u64,
    /// `squeeze << 16 | accept_shift << 8 | bits`: the key offset is the
    /// low `bits` bits of a random word and the acceptance draw A its bits
    /// from `accept_shift` up; `A < squeeze` accepts at once.
    meta: u64,
}

impl Cell {
    fn new(first: u64, bits: u32, s: f64) -> Self {
        let shift = bits.max(64 - ACCEPT_BITS);
        let scale = 2f64.powi(64 - shift as i32);
        let squeeze = if bits == 0 {
            scale as u64
        } else {
            let last = (first + (1u64 << bits)) as f64;
            let least = ((first + 1) as f64 / last).powf(s);
            (least * (1.0 - 4.0 * f64::EPSILON) * scale) as u64
        };
        Self {
            first,
            meta: (squeeze << 16) | ((shift as u64) << 8) | bits as u64,
        }
    }

    /// Envelope mass: the cell's width times the weight of its first rank.
    fn envelope(&self, s: f64) -> f64 {
        (1u64 << (self.meta & 63)) as f64 * ((self.first + 1) as f64).powf(-s)
    }
}

/// Bounded Zipf over keys `0..n` with exponent s.
#[derive(Clone, Debug)]
pub struct Zipf {
    n: u64,
    s: f64,
    /// Picks a cell by its envelope.
    table: AliasTable,
    cells: Box<[Cell]>,
    head: usize,
    head_branch: bool,
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
        let (head, body) = split_budget(n, s, layout);
        let mut cells: Vec<Cell> = (0..head).map(|k| Cell::new(k, 0, s)).collect();
        cells.extend(body);

        let weights: Vec<f64> = cells.iter().map(|c| c.envelope(s)).collect();
        let table = AliasTable::new(&weights).expect("rank 1 has weight 1");
        let head_weight: f64 = weights[..head as usize].iter().sum();
        let head_branch = head_weight >= HEAD_BRANCH_SHARE * weights.iter().sum::<f64>();
        Self {
            n,
            s,
            table,
            cells: cells.into_boxed_slice(),
            head: head as usize,
            head_branch,
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
            let index = self.table.sample(rng);
            if self.head_branch && index < self.head {
                return index as u64;
            }
            let cell = self.cells[index];
            let x = rng.next_u64();
            let bits = cell.meta & 63;
            let key = cell.first + (x & ((1u64 << bits) - 1));
            let shift = (cell.meta >> 8) & 63;
            let a = x >> shift;
            if a < cell.meta >> 16 || self.accepts(cell.first, key, a, shift as u32, rng) {
                return key;
            }
        }
    }

    /// The exact test behind the squeeze. With U = (A + V) / 2^b, where A
    /// holds the b = 64 - `shift` acceptance bits already drawn and V is a
    /// fresh uniform in [0, 1), accept `key` when
    /// `U < ((first+1)/(key+1))^s`.
    #[cold]
    fn accepts(&self, first: u64, key: u64, a: u64, shift: u32, rng: &mut Rng) -> bool {
        let ratio = ((first + 1) as f64 / (key + 1) as f64).powf(self.s);
        let t = ratio * 2f64.powi(64 - shift as i32) - a as f64;
        t >= 1.0 || (t > 0.0 && rng.next_f64() < t)
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

/// The number of head cells and the cells after them. The head gets at
/// least half the budget and as much more as the body leaves free.
fn split_budget(n: u64, s: f64, layout: Layout) -> (u64, Vec<Cell>) {
    let budget = 1u64 << layout.cells_log2;
    if n <= budget {
        return (n, Vec::new());
    }
    let mut head = budget / 2;
    let mut body = spans_after(n, s, head, layout);

    // A longer head shortens the body by about as many cells; a few tries
    // settle the exact split.
    let mut target = budget.saturating_sub(body.len() as u64);
    for _ in 0..8 {
        if target <= head {
            break;
        }
        let candidate = spans_after(n, s, target, layout);
        let total = target + candidate.len() as u64;
        if total <= budget {
            (head, body) = (target, candidate);
            break;
        }
        target -= total - budget;
    }
    (head, body)
}

/// The cells covering keys `head..n` (see the module doc).
fn spans_after(n: u64, s: f64, head: u64, layout: Layout) -> Vec<Cell> {
    let growth = layout.ratio.powf(1.0 / s);
    let mut total = power_sum(1, head, s);
    let mut tail = false;
    let mut cells = Vec::new();
    let mut first = head;
    while first < n {
        let rank = (first + 1) as f64;
        tail = tail || (n - first) as f64 * rank.powf(-s) <= layout.tail_share * total;
        let allowed = if tail {
            n - first
        } else {
            // The last rank b with (b/a)^s ≤ ratio is floor(a · growth),
            // so keys first..b are allowed.
            ((rank * growth) as u64)
                .saturating_sub(first)
                .clamp(1, n - first)
        };
        let bits = 63 - allowed.leading_zeros();
        let cell = Cell::new(first, bits, s);
        total += cell.envelope(s);
        cells.push(cell);
        first += 1u64 << bits;
    }
    cells
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
                zipf.cells.iter().any(|c| c.meta & 63 >= 4),
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
        let widest = zipf.cells.iter().map(|c| c.meta & 63).max().unwrap();
        assert!(widest >= 6, "tail not collapsed: {:?}", zipf.cells);
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
    fn widest_key_space_keeps_tables_small_and_keys_in_range() {
        for s in [0.01, 0.5, 1.0, 1.5, 3.0, 40.0] {
            let zipf = Zipf::new(u64::MAX, s).unwrap();
            assert!(zipf.cells() <= 1 << 13, "s={s}: {} cells", zipf.cells());
            let mut rng = Rng::from_seed(12);
            for _ in 0..1000 {
                assert!(zipf.sample(&mut rng) < u64::MAX);
            }
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

    /// Guards the output streams: a change here changes every run's keys,
    /// so it must be deliberate (values recorded from this implementation).
    #[test]
    fn streams_are_stable() {
        let zipf = Zipf::new(1_000_000, 1.0).unwrap();
        let mut rng = Rng::from_seed(2024);
        let keys: Vec<u64> = (0..8).map(|_| zipf.sample(&mut rng)).collect();
        assert_eq!(keys, [2148, 1, 86059, 673755, 389, 4476, 84, 6]);

        let scrambled = ScrambledZipf::new(1_000_000, 1.0).unwrap();
        let mut rng = Rng::from_seed(2024);
        let keys: Vec<u64> = (0..8).map(|_| scrambled.sample(&mut rng, 0)).collect();
        let want = [
            789133, 702186, 705071, 524613, 529635, 393142, 386887, 184223,
        ];
        assert_eq!(keys, want);
    }
}
