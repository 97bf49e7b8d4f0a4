//! `rendezvous`: highest random weight hashing (Thaler and Ravishankar, 1998).
//!
//! Every partition bids for every key and the highest bid wins:
//! partition = argmax over p of mix64(h ^ tag(p)), where h = mix64(key) and
//! tag(p) = mix64(p + 2^63) is a fixed per-partition constant (ties go to
//! the lowest p). A partition's bids do not depend on N, so adding
//! partition N moves exactly the keys it outbids everyone for, an expected
//! 1/(N+1) of them. The price is O(N) work per key, one mix per
//! partition: microseconds per key at thousands of partitions, where the
//! other consistent strategies take tens of nanoseconds.

use crate::batch::{Batch, Rec};
use crate::error::SpecError;
use crate::rng::mix64;
use crate::strategy::{BuildContext, HashValue, KeyFields, Strategy, place_by_hash};

/// Offset that keeps the partition tags away from mix64's fixed point 0.
const TAG_OFFSET: u64 = 1 << 63;

/// Rendezvous (highest random weight) hashing.
pub struct Rendezvous {
    key: KeyFields,
    /// `tags[p]` = mix64(p + 2^63).
    tags: Vec<u64>,
}

impl Rendezvous {
    /// Rendezvous hashing of `key` over `n` partitions.
    pub fn new(key: KeyFields, n: u32) -> Self {
        let tags = (0..n as u64).map(|p| mix64(p + TAG_OFFSET)).collect();
        Self { key, tags }
    }

    /// The partition with the highest bid for key hash `h`.
    #[inline]
    pub fn winner(&self, h: u64) -> u32 {
        let Some((&first, rest)) = self.tags.split_first() else {
            return 0;
        };
        let mut best = 0u32;
        let mut best_bid = mix64(h ^ first);
        for (i, &tag) in rest.iter().enumerate() {
            let bid = mix64(h ^ tag);
            // Strictly greater: a tie keeps the lower partition.
            if bid > best_bid {
                best = i as u32 + 1;
                best_bid = bid;
            }
        }
        best
    }
}

/// Builds `rendezvous`; it takes no options.
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    ctx.spec.params.finish("rendezvous")?;
    let key = KeyFields::new(&ctx.spec.key);
    Ok(Box::new(Rendezvous::new(key, ctx.partitions)))
}

impl Strategy for Rendezvous {
    fn partitions(&self) -> u32 {
        self.tags.len() as u32
    }

    #[inline]
    fn place(&self, rec: Rec<'_>) -> u32 {
        self.winner(self.key.hash(rec))
    }

    fn place_batch(&self, batch: &Batch, out: &mut Vec<u32>) {
        place_by_hash(&self.key, batch, out, |h| self.winner(h));
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

    fn rendezvous(n: u32) -> Rendezvous {
        Rendezvous::new(KeyFields::new(&[0]), n)
    }

    #[test]
    fn winner_is_the_highest_bid() {
        let r = rendezvous(9);
        let mut rng = Rng::from_seed(21);
        for _ in 0..1000 {
            let h = rng.next_u64();
            let w = r.winner(h);
            let bid = |p: u32| mix64(h ^ mix64(p as u64 + TAG_OFFSET));
            assert!((0..9).all(|p| bid(p) <= bid(w)), "h = {h}");
        }
    }

    /// Chi-square goodness of fit of 20,000 random keys over 10 partitions
    /// against the uniform law; 9 degrees of freedom, critical value at
    /// significance 0.001 is 27.88.
    #[test]
    fn rendezvous_spreads_keys_uniformly() {
        let (n, draws) = (10u32, 20_000u64);
        let r = rendezvous(n);
        let mut rng = Rng::from_seed(22);
        let mut counts = vec![0u64; n as usize];
        for _ in 0..draws {
            counts[r.winner(rng.next_u64()) as usize] += 1;
        }
        let expected = draws as f64 / n as f64;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 27.88, "chi2 = {chi2}, counts {counts:?}");
    }

    #[test]
    fn rendezvous_moves_keys_only_to_the_new_partition() {
        let mut rng = Rng::from_seed(23);
        let rings: Vec<Rendezvous> = (1..20).map(rendezvous).collect();
        for _ in 0..1000 {
            let h = rng.next_u64();
            for w in rings.windows(2) {
                let (a, b) = (w[0].winner(h), w[1].winner(h));
                let n = w[0].tags.len() as u32;
                assert!(a == b || b == n, "h = {h}: {a} -> {b} at n = {n}");
            }
        }
    }
}
