//! Named values with weights; a draw is the index of a name.

use crate::generator::Generator;
use crate::generator::alias::AliasTable;
use crate::rng::Rng;

/// Index i drawn with probability `weights[i] / Σ weights`.
#[derive(Clone, Debug)]
pub struct Categorical {
    table: AliasTable,
}

impl Categorical {
    /// A categorical over `values`, which need one weight each (finite,
    /// ≥ 0, summing to > 0).
    pub fn new(values: &[String], weights: &[f64]) -> Result<Self, String> {
        if values.len() != weights.len() {
            return Err(format!(
                "categorical has {} values but {} weights; give one weight per value",
                values.len(),
                weights.len()
            ));
        }
        let table = AliasTable::new(weights).map_err(|e| format!("categorical: {e}"))?;
        Ok(Self { table })
    }
}

impl Generator for Categorical {
    fn sample(&self, rng: &mut Rng, _index: u64) -> u64 {
        self.table.sample(rng) as u64
    }

    fn domain(&self, _events: u64) -> (u64, u64) {
        (0, self.table.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::testing::assert_fits;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("v{i}")).collect()
    }

    #[test]
    fn fits_weights_chi_square() {
        let weights = [5.0, 1.0, 0.0, 3.5, 0.5];
        let g = Categorical::new(&names(5), &weights).unwrap();
        let mut rng = Rng::from_seed(31);
        let mut out = vec![0u64; 50_000];
        g.fill(&mut rng, 0, &mut out);
        let mut counts = vec![0u64; 5];
        for &v in &out {
            counts[v as usize] += 1;
        }
        assert_eq!(counts[2], 0, "zero-weight value drawn");
        let probs: Vec<f64> = weights.iter().map(|w| w / 10.0).collect();
        assert_fits(&counts, &probs, "categorical");
        assert_eq!(g.domain(10), (0, 5));
    }

    #[test]
    fn mismatched_or_invalid_weights_are_errors() {
        assert!(Categorical::new(&names(2), &[1.0]).is_err());
        assert!(Categorical::new(&names(2), &[0.0, 0.0]).is_err());
        assert!(Categorical::new(&names(2), &[1.0, -1.0]).is_err());
        assert!(Categorical::new(&[], &[]).is_err());
    }
}
