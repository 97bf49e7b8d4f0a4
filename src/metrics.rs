//! Balance metrics over per-partition counts.
//!
//! Given the events (or keys) on each partition, x_1..x_N with mean μ:
//! - max/mean = max x_i / μ and min/mean = min x_i / μ;
//! - coefficient of variation CoV = σ / μ, with σ the population standard
//!   deviation sqrt(Σ (x_i − μ)² / N);
//! - Gini = Σ_i Σ_j |x_i − x_j| / (2 N² μ), computed from the sorted
//!   counts as Σ_i (2i − N − 1) x_(i) / (N Σ x), i = 1..N.
//!
//! All four are 1, 1, 0 and 0 for a perfectly even spread; a single hot
//! partition drives max/mean toward N and Gini toward 1 − 1/N.

use serde::Serialize;

/// Load-balance statistics of one distribution over partitions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Balance {
    /// Largest count over the mean.
    pub max_over_mean: f64,
    /// Smallest count over the mean.
    pub min_over_mean: f64,
    /// Coefficient of variation σ/μ.
    pub cov: f64,
    /// Gini coefficient.
    pub gini: f64,
    /// Largest count over the total: the hottest partition's share.
    pub max_share: f64,
}

impl Balance {
    /// The statistics of `counts`; all zero when the total is zero.
    pub fn of(counts: &[u64]) -> Self {
        let n = counts.len();
        let total: u128 = counts.iter().map(|&c| c as u128).sum();
        if n == 0 || total == 0 {
            return Self::default();
        }
        let total_f = total as f64;
        let mean = total_f / n as f64;
        let max = *counts.iter().max().unwrap_or(&0) as f64;
        let min = *counts.iter().min().unwrap_or(&0) as f64;

        let var = counts
            .iter()
            .map(|&c| {
                let d = c as f64 - mean;
                d * d
            })
            .sum::<f64>()
            / n as f64;

        let mut sorted = counts.to_vec();
        sorted.sort_unstable();
        let weighted: f64 = sorted
            .iter()
            .enumerate()
            .map(|(i, &x)| (2.0 * (i as f64 + 1.0) - n as f64 - 1.0) * x as f64)
            .sum();

        Self {
            max_over_mean: max / mean,
            min_over_mean: min / mean,
            cov: var.sqrt() / mean,
            gini: weighted / (n as f64 * total_f),
            max_share: max / total_f,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_spread_is_perfectly_balanced() {
        let b = Balance::of(&[5, 5, 5, 5]);
        assert_eq!(b.max_over_mean, 1.0);
        assert_eq!(b.min_over_mean, 1.0);
        assert_eq!(b.cov, 0.0);
        assert_eq!(b.gini, 0.0);
        assert_eq!(b.max_share, 0.25);
    }

    #[test]
    fn one_hot_partition_has_gini_one_minus_one_over_n() {
        let b = Balance::of(&[0, 0, 0, 8]);
        assert_eq!(b.max_over_mean, 4.0);
        assert_eq!(b.min_over_mean, 0.0);
        assert!((b.gini - 0.75).abs() < 1e-12);
        // σ = sqrt((3·2² + 6²)/4) = sqrt(12), μ = 2.
        assert!((b.cov - 12f64.sqrt() / 2.0).abs() < 1e-12);
    }

    #[test]
    fn gini_matches_pairwise_definition() {
        let xs = [3u64, 9, 1, 0, 14, 7, 7];
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<u64>() as f64 / n;
        let mut pair = 0.0;
        for a in xs {
            for b in xs {
                pair += (a as f64 - b as f64).abs();
            }
        }
        let expected = pair / (2.0 * n * n * mean);
        assert!((Balance::of(&xs).gini - expected).abs() < 1e-12);
    }

    #[test]
    fn empty_counts_give_zeros() {
        assert_eq!(Balance::of(&[]), Balance::default());
        assert_eq!(Balance::of(&[0, 0]), Balance::default());
    }
}
