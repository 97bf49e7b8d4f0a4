//! Celebrities plus a Zipf crowd.
//!
//! Keys `0..K` are the celebrities: together they receive `share` of the
//! draws, equally. The other draws follow Zipf(s) by rank over `K..n`
//! (key K has rank 1). So key k has probability `share / K` for k < K and
//! `(1 - share) · (k-K+1)^-s / H(n-K, s)` otherwise.

use crate::generator::Generator;
use crate::generator::zipf::Zipf;
use crate::rng::Rng;

/// A few equally hot keys in front of a Zipf tail.
#[derive(Clone, Debug)]
pub struct Celebrity {
    celebrities: u64,
    share: f64,
    crowd: Zipf,
}

impl Celebrity {
    /// `celebrities` = K keys (K < n) with `share` (in [0, 1]) of the
    /// draws; Zipf(s) over the other n - K keys. K = 0 is allowed only with
    /// share 0 (the draws would have nowhere to go).
    pub fn new(n: u64, celebrities: u64, share: f64, s: f64) -> Result<Self, String> {
        if celebrities >= n {
            return Err(format!(
                "celebrity: celebrities = {celebrities} must be less than n = {n}"
            ));
        }
        if !(0.0..=1.0).contains(&share) {
            return Err(format!("celebrity share = {share}; it must be in [0, 1]"));
        }
        if celebrities == 0 && share > 0.0 {
            return Err(format!(
                "celebrity: share = {share} with no celebrities; set celebrities ≥ 1 or share = 0"
            ));
        }
        let crowd = Zipf::new(n - celebrities, s).map_err(|e| format!("celebrity: {e}"))?;
        Ok(Self {
            celebrities,
            share,
            crowd,
        })
    }

    /// Probability of key `k`.
    pub fn pmf(&self, k: u64) -> f64 {
        if k < self.celebrities {
            self.share / self.celebrities as f64
        } else {
            (1.0 - self.share) * self.crowd.pmf(k - self.celebrities)
        }
    }

    #[inline(always)]
    fn draw(&self, rng: &mut Rng) -> u64 {
        if self.celebrities > 0 && rng.bernoulli(self.share) {
            rng.below(self.celebrities)
        } else {
            self.celebrities + self.crowd.sample(rng)
        }
    }
}

impl Generator for Celebrity {
    fn sample(&self, rng: &mut Rng, _index: u64) -> u64 {
        self.draw(rng)
    }

    fn fill(&self, rng: &mut Rng, _start: u64, out: &mut [u64]) {
        for v in out.iter_mut() {
            *v = self.draw(rng);
        }
    }

    fn domain(&self, _events: u64) -> (u64, u64) {
        (0, self.celebrities + self.crowd.n())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::testing::assert_fits;

    #[test]
    fn fits_celebrities_and_crowd_chi_square() {
        let (n, k) = (100_000u64, 10u64);
        let g = Celebrity::new(n, k, 0.3, 1.1).unwrap();
        let mut rng = Rng::from_seed(51);
        let mut out = vec![0u64; 100_000];
        g.fill(&mut rng, 0, &mut out);

        // Each celebrity, then the crowd's first 90 ranks one by one, then
        // ranges of 2^j keys.
        let mut edges: Vec<u64> = (0..100).collect();
        let mut e = 100u64;
        while e < n {
            edges.push(e);
            e *= 2;
        }
        edges.push(n);
        let mut counts = vec![0u64; edges.len() - 1];
        for &v in &out {
            counts[edges.partition_point(|&x| x <= v) - 1] += 1;
        }
        let probs: Vec<f64> = edges
            .windows(2)
            .map(|w| match w[0] < k {
                true => g.pmf(w[0]),
                false => 0.7 * g.crowd.mass(w[0] - k, w[1] - k),
            })
            .collect();
        assert_fits(&counts, &probs, "celebrity(100000, 10, 0.3, 1.1)");
        assert_eq!(g.domain(1), (0, n));
    }

    #[test]
    fn invalid_parameters_are_errors() {
        assert!(Celebrity::new(10, 10, 0.5, 1.0).is_err());
        assert!(Celebrity::new(10, 2, 1.5, 1.0).is_err());
        assert!(Celebrity::new(10, 2, 0.5, 0.0).is_err());
        assert!(Celebrity::new(10, 0, 0.5, 1.0).is_err());
        assert!(Celebrity::new(10, 0, 0.0, 1.0).is_ok());
    }
}
