//! `range`: contiguous ranges of the first key field, one per partition.
//!
//! Range partitioning keeps key order, so a scan of the key field touches
//! only the partitions its range spans, but a skewed or monotonic key piles
//! onto one partition. A composite key is ordered by its FIRST field alone:
//! records sharing that value always share a partition, and the other
//! fields do not affect placement.
//!
//! Split points come from option `split`:
//! - `even`: N equal slices of the first field's domain `lo..hi` over the
//!   run: partition = floor((v - lo) * N / (hi - lo)), values below `lo`
//!   in the first partition and values from `hi` on in the last.
//! - `quantile` (default): boundaries at the i/N quantiles of the sampled
//!   values, so the sampled events split evenly. Falls back to `even` when
//!   the sample is empty.

use crate::batch::{Batch, Rec};
use crate::error::SpecError;
use crate::strategy::{BuildContext, HashValue, KeyFields, KeySample, Strategy, Touch};

/// How a range strategy draws its boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Equal slices of the domain.
    Even,
    /// Quantiles of the sample.
    Quantile,
}

/// Where the partitions start.
enum Bounds {
    /// Equal slices: `starts[p]` = lo + ceil(p * span / N) is the first
    /// value of partition p; `scale` = N / span gives a first guess.
    Even {
        lo: u64,
        span: u64,
        scale: f64,
        starts: Vec<u64>,
    },
    /// `splits[i]` is the first value of partition i + 1, non-decreasing.
    Splits(Vec<u64>),
}

/// Range partitioning.
pub struct Range {
    key: KeyFields,
    first: usize,
    n: u32,
    bounds: Bounds,
}

impl Range {
    /// N equal slices of `domain` = (lo, hi), hi exclusive; an empty
    /// domain counts as the single value `lo`.
    pub fn even(key: KeyFields, n: u32, domain: (u64, u64)) -> Self {
        let (lo, hi) = domain;
        let span = hi.saturating_sub(lo).max(1);
        let starts = (0..n as u128)
            .map(|p| {
                let offset = (p * span as u128).div_ceil(n as u128);
                lo.saturating_add(offset as u64)
            })
            .collect();
        let bounds = Bounds::Even {
            lo,
            span,
            scale: n as f64 / span as f64,
            starts,
        };
        Self::with_bounds(key, n, bounds)
    }

    /// Boundaries at the quantiles of `sample.order` (sorted values of the
    /// first key field); `even` over `domain` when the sample is empty.
    ///
    /// Partition i ≥ 1 starts at s_i = max(order[floor(i * len / N)],
    /// s_(i-1) + 1): a run of equal sampled values cannot make two
    /// partitions start at the same value while a larger value remains,
    /// and partition = #{i : s_i ≤ v} always lies in 0..N.
    pub fn quantile(key: KeyFields, n: u32, sample: &KeySample, domain: (u64, u64)) -> Self {
        let order = &sample.order;
        if order.is_empty() {
            return Self::even(key, n, domain);
        }
        let len = order.len() as u128;
        let mut splits: Vec<u64> = Vec::with_capacity(n.saturating_sub(1) as usize);
        for i in 1..n as u128 {
            let at = order[(i * len / n as u128) as usize];
            let s = match splits.last() {
                Some(&prev) => at.max(prev.saturating_add(1)),
                None => at,
            };
            splits.push(s);
        }
        Self::with_bounds(key, n, Bounds::Splits(splits))
    }

    fn with_bounds(key: KeyFields, n: u32, bounds: Bounds) -> Self {
        let first = key.fields()[0];
        Self {
            key,
            first,
            n,
            bounds,
        }
    }

    /// The partition of first-field value `v`.
    #[inline]
    pub fn partition_of(&self, v: u64) -> u32 {
        match &self.bounds {
            Bounds::Even {
                lo,
                span,
                scale,
                starts,
            } => {
                if v < *lo {
                    return 0;
                }
                let d = v - lo;
                let last = starts.len() - 1;
                if d >= *span {
                    return last as u32;
                }
                // The float guess is off by at most one near a boundary.
                let mut p = ((d as f64 * scale) as usize).min(last);
                while p < last && v >= starts[p + 1] {
                    p += 1;
                }
                while v < starts[p] {
                    p -= 1;
                }
                p as u32
            }
            Bounds::Splits(splits) => splits.partition_point(|&s| s <= v) as u32,
        }
    }

    /// The partitions' first values: partition p holds `starts[p]..starts[p + 1]`
    /// (the first from 0, the last to the end of `u64`).
    pub fn starts(&self) -> Vec<u64> {
        match &self.bounds {
            Bounds::Even { starts, .. } => {
                let mut s = starts.clone();
                s[0] = 0;
                s
            }
            Bounds::Splits(splits) => std::iter::once(0).chain(splits.iter().copied()).collect(),
        }
    }
}

/// Builds `range`: option `split` = "quantile" (default) or "even".
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let params = &ctx.spec.params;
    let split = params.choice("split", "quantile", &["quantile", "even"])?;
    params.finish("range")?;
    let key = KeyFields::new(&ctx.spec.key);
    let n = ctx.partitions;
    let range = match split {
        "even" => Range::even(key, n, ctx.domain),
        _ => Range::quantile(key, n, ctx.sample, ctx.domain),
    };
    Ok(Box::new(range))
}

impl Strategy for Range {
    fn partitions(&self) -> u32 {
        self.n
    }

    #[inline]
    fn place(&self, rec: Rec<'_>) -> u32 {
        self.partition_of(rec.field(self.first))
    }

    fn place_batch(&self, batch: &Batch, out: &mut Vec<u32>) {
        out.extend(batch.cols[self.first].iter().map(|&v| self.partition_of(v)));
    }

    /// Range has no hash: this is the first key field's value, which is
    /// what orders the partitions.
    fn hash(&self, rec: Rec<'_>) -> HashValue {
        HashValue::U64(rec.field(self.first))
    }

    /// A scan of the first key field over `lo..hi` touches the partitions
    /// from that of `lo` to that of `hi - 1`; any other field, all of them.
    fn scan(&self, field: usize, lo: u64, hi: u64) -> Touch {
        if field != self.first {
            return Touch::All;
        }
        let a = self.partition_of(lo);
        let b = self.partition_of(hi.saturating_sub(1).max(lo));
        if a == b {
            Touch::One(a)
        } else {
            Touch::Span(a, b)
        }
    }

    /// A group of the first key field lives on one partition, even when
    /// the key is composite.
    fn aggregate(&self, field: usize, rec: Rec<'_>, home: u32) -> Touch {
        let _ = rec;
        if field == self.first {
            Touch::One(home)
        } else {
            Touch::All
        }
    }

    fn key_fields(&self) -> &[usize] {
        self.key.fields()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn key() -> KeyFields {
        KeyFields::new(&[0])
    }

    fn sample(mut order: Vec<u64>) -> KeySample {
        order.sort_unstable();
        KeySample {
            events: order.len() as u64,
            counts: Vec::new(),
            order,
        }
    }

    #[test]
    fn even_split_cuts_the_domain_into_equal_slices() {
        let r = Range::even(key(), 4, (100, 500));
        assert_eq!(r.starts(), vec![0, 200, 300, 400]);
        let cases = [
            (0, 0),
            (99, 0),
            (100, 0),
            (199, 0),
            (200, 1),
            (299, 1),
            (300, 2),
            (399, 2),
            (400, 3),
            (499, 3),
            (500, 3),
            (u64::MAX, 3),
        ];
        for (v, p) in cases {
            assert_eq!(r.partition_of(v), p, "value {v}");
        }
    }

    #[test]
    fn even_split_matches_the_formula_everywhere() {
        let mut rng = Rng::from_seed(41);
        for (n, lo, hi) in [
            (7, 0, 1000),
            (3, 5, 6),
            (64, 0, u64::MAX),
            (1000, 17, 12_345),
        ] {
            let r = Range::even(key(), n, (lo, hi));
            let span = (hi - lo) as u128;
            for _ in 0..2000 {
                let d = rng.below(hi - lo);
                let want = (d as u128 * n as u128 / span) as u32;
                assert_eq!(r.partition_of(lo + d), want, "n={n} v={}", lo + d);
            }
        }
    }

    #[test]
    fn quantile_split_balances_the_sample() {
        let order: Vec<u64> = (0..1000).map(|i| i * i).collect();
        let r = Range::quantile(key(), 4, &sample(order.clone()), (0, 1));
        assert_eq!(r.starts(), vec![0, 250 * 250, 500 * 500, 750 * 750]);
        let mut counts = [0u32; 4];
        for v in order {
            counts[r.partition_of(v) as usize] += 1;
        }
        assert_eq!(counts, [250; 4]);
    }

    #[test]
    fn duplicate_quantiles_still_give_valid_increasing_starts() {
        let mut order = vec![5u64; 90];
        order.extend(6..16);
        let r = Range::quantile(key(), 8, &sample(order), (0, 100));
        let starts = r.starts();
        assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
        for v in [0, 4, 5, 6, 15, 16, u64::MAX] {
            assert!(r.partition_of(v) < 8);
        }
        assert_eq!(r.partition_of(u64::MAX), 7);
    }

    #[test]
    fn starts_saturate_at_the_top_of_the_key_space() {
        let r = Range::quantile(key(), 4, &sample(vec![u64::MAX; 10]), (0, 1));
        for v in [0, u64::MAX - 1, u64::MAX] {
            assert!(r.partition_of(v) < 4);
        }
    }

    #[test]
    fn empty_sample_falls_back_to_even() {
        let r = Range::quantile(key(), 5, &KeySample::default(), (0, 50));
        assert_eq!(r.starts(), vec![0, 10, 20, 30, 40]);
    }

    #[test]
    fn scans_of_the_first_field_touch_only_their_span() {
        let r = Range::even(key(), 10, (0, 100));
        assert_eq!(r.scan(0, 5, 8), Touch::One(0));
        assert_eq!(r.scan(0, 5, 10), Touch::One(0));
        assert_eq!(r.scan(0, 5, 11), Touch::Span(0, 1));
        assert_eq!(r.scan(0, 35, 75), Touch::Span(3, 7));
        assert_eq!(r.scan(0, 95, 10_000), Touch::One(9));
        assert_eq!(r.scan(1, 5, 8), Touch::All);
    }

    #[test]
    fn composite_keys_are_ordered_by_their_first_field() {
        let r = Range::even(KeyFields::new(&[1, 0]), 4, (0, 40));
        let mut b = Batch::new(2);
        for (x, y) in [(0, 35), (999, 35), (5, 3)] {
            b.ops.push(0);
            b.cols[0].push(x);
            b.cols[1].push(y);
        }
        let mut out = Vec::new();
        r.place_batch(&b, &mut out);
        assert_eq!(out, vec![3, 3, 0]);
        assert_eq!(r.aggregate(1, b.rec(0), 3), Touch::One(3));
        assert_eq!(r.aggregate(0, b.rec(0), 3), Touch::All);
    }
}
