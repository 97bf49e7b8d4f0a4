//! The key space of a strategy's partition key: storage and movement.
//!
//! Storage counts keys, not events: how many distinct keys each partition
//! holds. A key space of at most [`KEYSPACE_SAMPLE`] keys is routed whole;
//! a larger one is represented by a uniform sample of that many keys, and
//! the counts are scaled to the key space's size. A composite key's space is
//! the product of its fields' domains, sampled field by field.
//!
//! Movement compares each key's partition at N with its partition at N+1
//! and at N−1: moved fraction = |{k : p_N(k) ≠ p_N±1(k)}| / |keys|.

use rayon::prelude::*;

use crate::batch::Batch;
use crate::engine::KEYSPACE_SAMPLE;
use crate::engine::source::{CHUNK, EventSource};
use crate::rng::{Rng, Stream};
use crate::strategy::Strategy;

/// A key space, enumerated or sampled, as batches ready to route.
pub struct KeySpace {
    batches: Vec<Batch>,
    /// Keys in the whole space (saturating).
    size: u128,
    /// Keys routed.
    routed: u64,
}

impl KeySpace {
    /// The key space of `key` over the run of `source`.
    pub fn new(source: &EventSource, key: &[usize], fields: usize, seed: u64) -> Self {
        let domains: Vec<(u64, u64)> = key.iter().map(|&f| source.domain(f)).collect();
        let size = domains
            .iter()
            .map(|(lo, hi)| hi.saturating_sub(*lo).max(1) as u128)
            .fold(1u128, |a, b| a.saturating_mul(b));
        let whole = size <= KEYSPACE_SAMPLE as u128;
        let routed = if whole { size as u64 } else { KEYSPACE_SAMPLE };

        let mut rng = Rng::for_chunk(seed, Stream::KeySpace, key[0] as u64);
        let mut batches = Vec::new();
        let mut done = 0u64;
        while done < routed {
            let len = (routed - done).min(CHUNK) as usize;
            let mut b = Batch::new(fields);
            b.start = done;
            b.ops.resize(len, 0);
            for col in b.cols.iter_mut() {
                col.resize(len, 0);
            }
            for i in 0..len {
                let index = done + i as u64;
                if whole {
                    // Mixed radix: the index enumerates the product space.
                    let mut rest = index;
                    for (j, &f) in key.iter().enumerate() {
                        let (lo, hi) = domains[j];
                        let width = hi.saturating_sub(lo).max(1);
                        b.cols[f][i] = lo + rest % width;
                        rest /= width;
                    }
                } else {
                    for (j, &f) in key.iter().enumerate() {
                        let (lo, hi) = domains[j];
                        b.cols[f][i] = lo + rng.below(hi.saturating_sub(lo).max(1));
                    }
                }
            }
            done += len as u64;
            batches.push(b);
        }
        Self {
            batches,
            size,
            routed,
        }
    }

    /// The key space of a key that includes a replayed trace field: the
    /// distinct keys of the sample (a trace's key space is only known as
    /// far as it has been read).
    pub fn from_sample(sample: &[Batch], key: &[usize]) -> Self {
        let fields = crate::strategy::KeyFields::new(key);
        let mut seen = std::collections::HashSet::new();
        let mut batches = Vec::new();
        let mut routed = 0u64;
        for b in sample {
            let keep: Vec<usize> = (0..b.len())
                .filter(|&i| seen.insert(fields.key(b.rec(i))))
                .collect();
            if keep.is_empty() {
                continue;
            }
            let mut out = Batch::new(b.cols.len());
            out.start = routed;
            out.ops.resize(keep.len(), 0);
            for (f, col) in out.cols.iter_mut().enumerate() {
                col.extend(keep.iter().map(|&i| b.cols[f][i]));
            }
            for (f, text) in b.text.iter().enumerate() {
                if let Some(t) = text {
                    let mut column = crate::batch::TextColumn::default();
                    for &i in &keep {
                        column.push(t.get(i));
                    }
                    out.text[f] = Some(column);
                }
            }
            routed += keep.len() as u64;
            batches.push(out);
        }
        Self {
            batches,
            size: routed as u128,
            routed,
        }
    }

    /// Keys stored on each partition, scaled to the whole key space.
    pub fn storage(&self, s: &dyn Strategy) -> Vec<u64> {
        let n = s.partitions() as usize;
        let mut counts = self
            .batches
            .par_iter()
            .map(|b| {
                let mut counts = vec![0u64; n];
                let mut homes = Vec::with_capacity(b.len());
                s.place_batch(b, &mut homes);
                for &p in &homes {
                    counts[p as usize] += 1;
                }
                counts
            })
            .reduce(
                || vec![0u64; n],
                |mut a, b| {
                    a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                    a
                },
            );
        if self.size != self.routed as u128 {
            let scale = self.size as f64 / self.routed as f64;
            for c in counts.iter_mut() {
                *c = (*c as f64 * scale).round() as u64;
            }
        }
        counts
    }

    /// Fractions of keys that change partition on N → N+1 and N → N−1.
    pub fn moved(
        &self,
        base: &dyn Strategy,
        grown: &dyn Strategy,
        shrunk: Option<&dyn Strategy>,
    ) -> (f64, f64) {
        let (add, remove, _) = moved_in(&self.batches, base, grown, shrunk);
        let t = self.routed.max(1) as f64;
        (add as f64 / t, remove as f64 / t)
    }
}

/// Counts, over `batches`, the events whose home partition differs between
/// `base` and `grown`, and between `base` and `shrunk`; and the events.
pub fn moved_in(
    batches: &[Batch],
    base: &dyn Strategy,
    grown: &dyn Strategy,
    shrunk: Option<&dyn Strategy>,
) -> (u64, u64, u64) {
    batches
        .par_iter()
        .map(|batch| {
            let (mut a, mut b) = (
                Vec::with_capacity(batch.len()),
                Vec::with_capacity(batch.len()),
            );
            base.place_batch(batch, &mut a);
            grown.place_batch(batch, &mut b);
            let add = a.iter().zip(&b).filter(|(x, y)| x != y).count() as u64;
            let remove = shrunk.map_or(0, |s| {
                b.clear();
                s.place_batch(batch, &mut b);
                a.iter().zip(&b).filter(|(x, y)| x != y).count() as u64
            });
            (add, remove, batch.len() as u64)
        })
        .reduce(|| (0, 0, 0), |x, y| (x.0 + y.0, x.1 + y.1, x.2 + y.2))
}
