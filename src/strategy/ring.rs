//! `ring`: consistent hashing on a ring of virtual nodes (Karger et al., 1997).
//!
//! Each partition p owns V points on a 64-bit ring, point(p, v) =
//! mix64(((p << 32) | v) ^ RING_TAG) for v in 0..V. A key goes to the owner
//! of the first point at or after its hash, wrapping past 2^64 - 1 to the
//! smallest point. The points depend only on N and V, not on the run seed,
//! so a ring over N+1 partitions is the ring over N plus the new
//! partition's points, and adding a partition moves only the keys that now
//! fall just before one of them. Since mix64 is a bijection and the
//! inputs are distinct, no two points coincide.
//!
//! Lookup avoids a full binary search: a bucket index over the top bits
//! of the ring says where the points of each bucket start, so a lookup
//! scans the few points of one bucket.

use crate::batch::{Batch, Rec};
use crate::error::SpecError;
use crate::rng::mix64;
use crate::strategy::{BuildContext, HashValue, KeyFields, Strategy, place_by_hash};

/// Default virtual nodes per partition.
pub const DEFAULT_VNODES: u64 = 128;

/// Most virtual nodes per partition.
pub const MAX_VNODES: u64 = 4096;

/// Separates ring points from other uses of mix64 on small integers.
const RING_TAG: u64 = 0x5bd1_e995_7f4a_7c15;

/// Largest bucket index, in bits: 2^22 buckets take 16 MiB.
const MAX_INDEX_BITS: u32 = 22;

/// A consistent-hash ring.
pub struct Ring {
    key: KeyFields,
    n: u32,
    vnodes: u32,
    /// Point positions, ascending.
    points: Vec<u64>,
    /// `owners[i]` owns `points[i]`; one extra entry repeats `owners[0]`
    /// for keys past the last point.
    owners: Vec<u32>,
    /// `index[b]` is the number of points below bucket b's start;
    /// `index[2^bits]` is the number of points.
    index: Vec<u32>,
    /// 64 - bits: a hash's bucket is `h >> shift`.
    shift: u32,
}

/// The ring position of virtual node `v` of partition `p`.
#[inline]
pub fn point(p: u32, v: u32) -> u64 {
    mix64((((p as u64) << 32) | v as u64) ^ RING_TAG)
}

impl Ring {
    /// A ring of `n` partitions with `vnodes` points each (both ≥ 1).
    pub fn new(key: KeyFields, n: u32, vnodes: u32) -> Self {
        let mut pairs: Vec<(u64, u32)> = (0..n)
            .flat_map(|p| (0..vnodes).map(move |v| (point(p, v), p)))
            .collect();
        pairs.sort_unstable();

        let points: Vec<u64> = pairs.iter().map(|&(pt, _)| pt).collect();
        let mut owners: Vec<u32> = pairs.iter().map(|&(_, p)| p).collect();
        owners.push(owners[0]);

        // About one point per bucket keeps the scan short.
        let bits = (points.len().next_power_of_two().trailing_zeros()).clamp(1, MAX_INDEX_BITS);
        let shift = 64 - bits;
        let buckets = 1usize << bits;
        let mut index = vec![0u32; buckets + 1];
        let mut i = 0usize;
        for (b, slot) in index.iter_mut().enumerate().take(buckets) {
            while i < points.len() && ((points[i] >> shift) as usize) < b {
                i += 1;
            }
            *slot = i as u32;
        }
        index[buckets] = points.len() as u32;

        Self {
            key,
            n,
            vnodes,
            points,
            owners,
            index,
            shift,
        }
    }

    /// Virtual nodes per partition.
    pub fn vnodes(&self) -> u32 {
        self.vnodes
    }

    /// The partition owning the first point at or after `h`.
    #[inline]
    pub fn lookup(&self, h: u64) -> u32 {
        let b = (h >> self.shift) as usize;
        let mut i = self.index[b] as usize;
        let end = self.index[b + 1] as usize;
        while i < end && self.points[i] < h {
            i += 1;
        }
        self.owners[i]
    }
}

/// Builds `ring`: option `vnodes` (default 128, 1..=4096).
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let params = &ctx.spec.params;
    let vnodes = params.u64_in("vnodes", DEFAULT_VNODES, 1, MAX_VNODES)? as u32;
    params.finish("ring")?;
    let key = KeyFields::new(&ctx.spec.key);
    Ok(Box::new(Ring::new(key, ctx.partitions, vnodes)))
}

impl Strategy for Ring {
    fn partitions(&self) -> u32 {
        self.n
    }

    #[inline]
    fn place(&self, rec: Rec<'_>) -> u32 {
        self.lookup(self.key.hash(rec))
    }

    fn place_batch(&self, batch: &Batch, out: &mut Vec<u32>) {
        place_by_hash(&self.key, batch, out, |h| self.lookup(h));
    }

    fn hash(&self, rec: Rec<'_>) -> HashValue {
        HashValue::U64(self.key.hash(rec))
    }

    fn key_fields(&self) -> &[usize] {
        self.key.fields()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The owner by definition: the first point at or after h, else the
    /// smallest point.
    fn owner_by_scan(ring: &Ring, h: u64) -> u32 {
        let i = ring.points.iter().position(|&p| p >= h).unwrap_or(0);
        ring.owners[i]
    }

    fn ring(n: u32, vnodes: u32) -> Ring {
        Ring::new(KeyFields::new(&[0]), n, vnodes)
    }

    #[test]
    fn indexed_lookup_equals_the_definition() {
        let mut rng = Rng::from_seed(11);
        for (n, v) in [(1, 1), (2, 3), (7, 128), (64, 16)] {
            let r = ring(n, v);
            let edges = [0, 1, u64::MAX, r.points[0], r.points[r.points.len() - 1]];
            for h in edges.into_iter().chain((0..3000).map(|_| rng.next_u64())) {
                assert_eq!(r.lookup(h), owner_by_scan(&r, h), "n={n} v={v} h={h}");
            }
        }
    }

    #[test]
    fn keys_past_the_last_point_wrap_to_the_first() {
        let r = ring(5, 4);
        let last = *r.points.last().unwrap();
        assert_ne!(last, u64::MAX);
        assert_eq!(r.lookup(last + 1), r.owners[0]);
        assert_eq!(r.lookup(u64::MAX), r.owners[0]);
    }

    #[test]
    fn ring_points_depend_only_on_partitions_and_vnodes() {
        let small = ring(6, 32);
        let big = ring(7, 32);
        let mut extended: Vec<u64> = small.points.clone();
        extended.extend((0..32).map(|v| point(6, v)));
        extended.sort_unstable();
        assert_eq!(extended, big.points);
    }

    /// With 128 virtual nodes the partitions' shares of the ring have a
    /// relative spread of about 1/sqrt(128) ≈ 9%; every share must lie
    /// within 40% of 1/N.
    #[test]
    fn every_partition_owns_about_its_share_of_the_ring() {
        let n = 16u32;
        let r = ring(n, 128);
        let mut share = vec![0f64; n as usize];
        let len = r.points.len();
        for i in 0..len {
            // Point i owns the arc from the previous point up to it.
            let prev = if i == 0 {
                r.points[len - 1]
            } else {
                r.points[i - 1]
            };
            let arc = r.points[i].wrapping_sub(prev) as f64 / 2f64.powi(64);
            share[r.owners[i] as usize] += arc;
        }
        for (p, s) in share.iter().enumerate() {
            let rel = s * n as f64;
            assert!((0.6..1.4).contains(&rel), "partition {p}: share {s}");
        }
    }
}
