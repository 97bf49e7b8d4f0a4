//! Recency skew over a growing key space.
//!
//! At event i there are `c(i) = initial + floor(i · growth)` keys (in
//! double precision, capped at 2^63). The newest key, `c - 1`, has rank 1;
//! a rank r is drawn from Zipf(s) over `1..=c` and the key is `c - r`.
//!
//! Since c changes from event to event, ranks come from a ladder of Zipf
//! samplers over 2^j keys, built the first time a count needs them: for
//! `2^(j-1) < c ≤ 2^j`, a rank drawn from the level-j sampler is kept if
//! it is ≤ c and drawn again otherwise. Zipf restricted to its first c
//! ranks is Zipf over c ranks, so this is exact, and at least half of the
//! draws are kept. A run touches only the few levels its counts span.

use std::sync::OnceLock;

use crate::generator::Generator;
use crate::generator::zipf::Zipf;
use crate::rng::Rng;

/// Counts are capped here, the largest power of two a level can hold.
const MAX_COUNT: u64 = 1 << 63;

/// Zipf(s) by recency over `initial + floor(i · growth)` keys.
#[derive(Debug)]
pub struct Latest {
    initial: u64,
    growth: f64,
    s: f64,
    /// Level j samples ranks over `0..2^j`.
    levels: Box<[OnceLock<Zipf>]>,
}

impl Latest {
    /// `initial` ≥ 1 keys at the start, `growth` (finite, ≥ 0) new keys per
    /// event, recency exponent s (finite, > 0).
    pub fn new(initial: u64, growth: f64, s: f64) -> Result<Self, String> {
        if initial == 0 {
            return Err("latest needs initial ≥ 1 keys".to_string());
        }
        if !(growth.is_finite() && growth >= 0.0) {
            return Err(format!(
                "latest growth = {growth}; it must be finite and ≥ 0"
            ));
        }
        if !(s.is_finite() && s > 0.0) {
            return Err(format!(
                "latest exponent s = {s}; it must be finite and > 0"
            ));
        }
        Ok(Self {
            initial,
            growth,
            s,
            levels: (0..64).map(|_| OnceLock::new()).collect(),
        })
    }

    /// Number of keys at event `index`.
    #[inline]
    pub fn count(&self, index: u64) -> u64 {
        // The product is ≥ 0, so truncation is the floor (and, unlike
        // `f64::floor` on baseline x86-64, needs no library call).
        let added = (index as f64 * self.growth) as u64;
        self.initial.saturating_add(added).min(MAX_COUNT)
    }

    /// The sampler over `0..2^level` ranks.
    fn level(&self, level: u32) -> &Zipf {
        self.levels[level as usize]
            .get_or_init(|| Zipf::new(1 << level, self.s).expect("s was checked by Latest::new"))
    }
}

/// The ladder level for `count` keys: the least j with 2^j ≥ count.
#[inline(always)]
fn level_of(count: u64) -> u32 {
    64 - (count - 1).leading_zeros()
}

/// A key among `count` keys, newest most likely, from the sampler of the
/// level of `count`.
#[inline(always)]
fn draw(ranks: &Zipf, rng: &mut Rng, count: u64) -> u64 {
    loop {
        let r = ranks.sample(rng);
        if r < count {
            return count - 1 - r;
        }
    }
}

impl Generator for Latest {
    fn sample(&self, rng: &mut Rng, index: u64) -> u64 {
        let count = self.count(index);
        draw(self.level(level_of(count)), rng, count)
    }

    fn fill(&self, rng: &mut Rng, start: u64, out: &mut [u64]) {
        // The level changes rarely; look it up only when it does.
        let mut level = level_of(self.count(start));
        let mut ranks = self.level(level);
        for (i, v) in out.iter_mut().enumerate() {
            let count = self.count(start + i as u64);
            if level_of(count) != level {
                level = level_of(count);
                ranks = self.level(level);
            }
            *v = draw(ranks, rng, count);
        }
    }

    /// `0..c(events - 1)`, the keys that exist by the last event.
    fn domain(&self, events: u64) -> (u64, u64) {
        (0, self.count(events.saturating_sub(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::testing::assert_fits;

    /// Draws at a fixed index, binned by rank (1 = newest), against Zipf
    /// over the count at that index.
    fn assert_fits_at(g: &Latest, index: u64, seed: u64) {
        let c = g.count(index);
        let mut rng = Rng::from_seed(seed);
        let mut counts = vec![0u64; c as usize];
        for _ in 0..60_000 {
            let key = g.sample(&mut rng, index);
            assert!(key < c, "key {key} among {c}");
            counts[(c - 1 - key) as usize] += 1;
        }
        let zipf = Zipf::new(c, g.s).unwrap();
        let probs: Vec<f64> = (0..c).map(|r| zipf.pmf(r)).collect();
        assert_fits(&counts, &probs, &format!("latest with {c} keys"));
    }

    #[test]
    fn fits_zipf_by_recency_at_any_count() {
        // 1000 + 24 = 1024 keys fills a level; 1025 needs the next one and
        // rejects the most draws.
        let g = Latest::new(1000, 0.5, 0.9).unwrap();
        assert_fits_at(&g, 48, 61);
        assert_fits_at(&g, 50, 62);
        assert_fits_at(&g, 2000, 63);
    }

    #[test]
    fn keys_grow_with_the_index() {
        let g = Latest::new(5, 0.25, 1.0).unwrap();
        assert_eq!(g.count(0), 5);
        assert_eq!(g.count(7), 6);
        assert_eq!(g.domain(100), (0, 5 + 24));
        let mut rng = Rng::from_seed(64);
        let mut out = vec![0u64; 1000];
        g.fill(&mut rng, 4000, &mut out);
        for (i, &k) in out.iter().enumerate() {
            assert!(k < g.count(4000 + i as u64));
        }
        // The newest key has probability 1/H(1005, 1) ≈ 0.13 at each event.
        let newest = (0..1000)
            .filter(|&i| out[i] + 1 == g.count(4000 + i as u64))
            .count();
        assert!(newest > 80, "newest key drawn {newest} times in 1000");
    }

    #[test]
    fn one_key_is_always_drawn() {
        let g = Latest::new(1, 0.0, 2.0).unwrap();
        let mut rng = Rng::from_seed(65);
        assert!((0..100).all(|i| g.sample(&mut rng, i) == 0));
    }

    #[test]
    fn invalid_parameters_are_errors() {
        assert!(Latest::new(0, 1.0, 1.0).is_err());
        assert!(Latest::new(1, -1.0, 1.0).is_err());
        assert!(Latest::new(1, f64::NAN, 1.0).is_err());
        assert!(Latest::new(1, 1.0, 0.0).is_err());
    }
}
