//! A hot set of the first keys receives a fixed share of the draws.
//!
//! With h = `ceil(hot_fraction · n)` (computed in double precision, kept
//! in `1..=n`), a draw is uniform over the hot keys `0..h` with probability
//! `hot_share` and uniform over the cold keys `h..n` otherwise. When
//! rounding leaves no cold keys, every draw is uniform over `0..n`.

use crate::generator::Generator;
use crate::rng::Rng;

/// Uniform hot set plus uniform cold remainder.
#[derive(Clone, Debug)]
pub struct Hotspot {
    n: u64,
    hot: u64,
    hot_share: f64,
}

impl Hotspot {
    /// Hot set of `ceil(hot_fraction · n)` keys, with `hot_fraction` in
    /// (0, 1), receiving `hot_share` (in [0, 1]) of the draws; n ≥ 1.
    pub fn new(n: u64, hot_fraction: f64, hot_share: f64) -> Result<Self, String> {
        if n == 0 {
            return Err("hotspot needs n ≥ 1 keys".to_string());
        }
        if !(hot_fraction > 0.0 && hot_fraction < 1.0) {
            return Err(format!(
                "hotspot hot_fraction = {hot_fraction}; it must be in (0, 1)"
            ));
        }
        if !(0.0..=1.0).contains(&hot_share) {
            return Err(format!(
                "hotspot hot_share = {hot_share}; it must be in [0, 1]"
            ));
        }
        let hot = ((hot_fraction * n as f64).ceil() as u64).clamp(1, n);
        Ok(Self { n, hot, hot_share })
    }

    /// The number of hot keys, h.
    pub fn hot_keys(&self) -> u64 {
        self.hot
    }

    #[inline(always)]
    fn draw(&self, rng: &mut Rng) -> u64 {
        if self.hot == self.n {
            rng.below(self.n)
        } else if rng.bernoulli(self.hot_share) {
            rng.below(self.hot)
        } else {
            self.hot + rng.below(self.n - self.hot)
        }
    }
}

impl Generator for Hotspot {
    fn sample(&self, rng: &mut Rng, _index: u64) -> u64 {
        self.draw(rng)
    }

    fn fill(&self, rng: &mut Rng, _start: u64, out: &mut [u64]) {
        for v in out.iter_mut() {
            *v = self.draw(rng);
        }
    }

    fn domain(&self, _events: u64) -> (u64, u64) {
        (0, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::testing::assert_fits;

    #[test]
    fn fits_hot_and_cold_shares_chi_square() {
        // 1000 keys, hot set ceil(0.05 · 1000) = 50 keys with 80% of draws.
        let g = Hotspot::new(1000, 0.05, 0.8).unwrap();
        assert_eq!(g.hot_keys(), 50);
        let mut rng = Rng::from_seed(41);
        let mut out = vec![0u64; 100_000];
        g.fill(&mut rng, 0, &mut out);
        // Bins of 10 keys: 5 hot bins, then 95 cold ones.
        let mut counts = vec![0u64; 100];
        for &k in &out {
            counts[(k / 10) as usize] += 1;
        }
        let probs: Vec<f64> = (0..100)
            .map(|b| if b < 5 { 0.8 / 5.0 } else { 0.2 / 95.0 })
            .collect();
        assert_fits(&counts, &probs, "hotspot(1000, 0.05, 0.8)");
    }

    #[test]
    fn hot_set_covering_everything_is_uniform() {
        let g = Hotspot::new(1, 0.5, 0.3).unwrap();
        let mut rng = Rng::from_seed(42);
        assert!((0..100).all(|_| g.sample(&mut rng, 0) == 0));
    }

    #[test]
    fn invalid_parameters_are_errors() {
        assert!(Hotspot::new(0, 0.1, 0.5).is_err());
        assert!(Hotspot::new(10, 0.0, 0.5).is_err());
        assert!(Hotspot::new(10, 1.0, 0.5).is_err());
        assert!(Hotspot::new(10, 0.1, 1.5).is_err());
        assert!(Hotspot::new(10, 0.1, f64::NAN).is_err());
    }
}
