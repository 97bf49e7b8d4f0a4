//! Goodness-of-fit checking shared by the generators' tests.
//!
//! Every test draws with a fixed seed, bins the draws, and compares the
//! counts with the exact bin probabilities by Pearson's chi-square test at
//! significance α = 0.001.

/// Bins are merged with their neighbours until each expects this many draws.
const MIN_EXPECTED: f64 = 10.0;

/// Upper 0.001 quantile of the standard normal distribution.
const Z_999: f64 = 3.090_232_306_167_813;

/// The chi-square value that a χ²(df) variable exceeds with probability
/// 0.001, by the Wilson–Hilferty approximation
/// `df · (1 - 2/(9 df) + z · sqrt(2/(9 df)))³`.
pub fn critical_value(df: usize) -> f64 {
    let d = df as f64;
    let v = 2.0 / (9.0 * d);
    d * (1.0 - v + Z_999 * v.sqrt()).powi(3)
}

/// Pearson's statistic and degrees of freedom for `observed` counts against
/// bin probabilities `probs` (which must cover every outcome), after merging
/// adjacent bins so that each expects at least [`MIN_EXPECTED`] draws.
pub fn chi_square(observed: &[u64], probs: &[f64]) -> (f64, usize) {
    assert_eq!(observed.len(), probs.len());
    let total_p: f64 = probs.iter().sum();
    assert!(
        (total_p - 1.0).abs() < 1e-9,
        "bin probabilities sum to {total_p}"
    );
    for (i, (&o, &p)) in observed.iter().zip(probs).enumerate() {
        assert!(p > 0.0 || o == 0, "bin {i} has probability 0 but {o} draws");
    }

    let draws: u64 = observed.iter().sum();
    let mut bins: Vec<(f64, f64)> = Vec::new();
    let (mut o_acc, mut e_acc) = (0.0, 0.0);
    for (&o, &p) in observed.iter().zip(probs) {
        o_acc += o as f64;
        e_acc += p * draws as f64;
        if e_acc >= MIN_EXPECTED {
            bins.push((o_acc, e_acc));
            (o_acc, e_acc) = (0.0, 0.0);
        }
    }
    if e_acc > 0.0 || o_acc > 0.0 {
        match bins.last_mut() {
            Some(last) => {
                last.0 += o_acc;
                last.1 += e_acc;
            }
            None => bins.push((o_acc, e_acc)),
        }
    }

    let stat = bins.iter().map(|&(o, e)| (o - e) * (o - e) / e).sum();
    (stat, bins.len().saturating_sub(1))
}

/// Asserts that `observed` fits `probs` at α = 0.001.
pub fn assert_fits(observed: &[u64], probs: &[f64], what: &str) {
    let (stat, df) = chi_square(observed, probs);
    assert!(
        df >= 2,
        "{what}: only {df} degrees of freedom; draw more samples"
    );
    let critical = critical_value(df);
    assert!(
        stat < critical,
        "{what}: chi-square {stat:.1} with {df} df exceeds the α = 0.001 critical value {critical:.1}"
    );
}

#[test]
fn critical_value_matches_tables() {
    // χ²(0.999) quantiles from standard tables: df 10 → 29.588, df 100 → 149.449.
    assert!((critical_value(10) - 29.588).abs() < 0.2);
    assert!((critical_value(100) - 149.449).abs() < 0.2);
}
