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

    fn fill(&self, rng: &mut Rng, _start: u64, out: &mut [u64]) {
        for v in out.iter_mut() {
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

    #[test]
    fn zero_keys_is_an_error() {
        assert!(Uniform::new(0).is_err());
    }
}
