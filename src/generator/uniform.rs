//! Uniform keys over `0..n`.

use crate::generator::Generator;
use crate::rng::Rng;

/// Every key in `0..n` equally likely.
#[derive(Clone, Debug)]
pub struct Uniform {
    n: u64,
}

impl Uniform {
    /// Uniform over `0..n`, n ≥ 1.
    pub fn new(n: u64) -> Result<Self, String> {
        if n == 0 {
            return Err("uniform needs n ≥ 1 keys".to_string());
        }
        Ok(Self { n })
    }
}

impl Generator for Uniform {
    fn sample(&self, rng: &mut Rng, _index: u64) -> u64 {
        rng.below(self.n)
    }

    /// Two generators, the second seeded from the first, fill alternate
    /// slots: each xoshiro256++ step depends on the previous one, and two
    /// independent chains keep the core busy while either waits.
    fn fill(&self, rng: &mut Rng, _start: u64, out: &mut [u64]) {
        let mut other = Rng::from_seed(rng.next_u64());
        let mut pairs = out.chunks_exact_mut(2);
        for pair in &mut pairs {
            pair[0] = rng.below(self.n);
            pair[1] = other.below(self.n);
        }
        for v in pairs.into_remainder() {
            *v = rng.below(self.n);
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
    fn fits_uniform_chi_square() {
        let n = 1_000_003u64;
        let bins = 100u64;
        let g = Uniform::new(n).unwrap();
        let mut rng = Rng::from_seed(21);
        let mut out = vec![0u64; 100_000];
        g.fill(&mut rng, 0, &mut out);
        let mut counts = vec![0u64; bins as usize];
        for &k in &out {
            assert!(k < n);
            counts[(k * bins / n) as usize] += 1;
        }
        // Bin b holds the keys k with floor(k · bins / n) = b.
        let probs: Vec<f64> = (0..bins)
            .map(|b| {
                let lo = (b * n).div_ceil(bins);
                let hi = ((b + 1) * n).div_ceil(bins);
                (hi - lo) as f64 / n as f64
            })
            .collect();
        assert_fits(&counts, &probs, "uniform over 1000003 keys");
    }

    /// The two chains of `fill` must not be correlated: the pairs (even
    /// slot mod 10, odd slot mod 10) fall uniformly on the 100 cells,
    /// chi-square at α = 0.001.
    #[test]
    fn adjacent_slots_of_fill_are_independent() {
        let g = Uniform::new(1000).unwrap();
        let mut rng = Rng::from_seed(23);
        let mut counts = vec![0u64; 100];
        let mut out = vec![0u64; 4096];
        for _ in 0..25 {
            g.fill(&mut rng, 0, &mut out);
            for pair in out.chunks_exact(2) {
                counts[((pair[0] % 10) * 10 + pair[1] % 10) as usize] += 1;
            }
        }
        assert_fits(&counts, &[0.01; 100], "pairs of adjacent uniform slots");
    }

    #[test]
    fn zero_keys_is_an_error() {
        assert!(Uniform::new(0).is_err());
    }
}
