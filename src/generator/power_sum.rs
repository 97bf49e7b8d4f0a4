//! Sums of powers, Σ k^-s over a range of k: the normalizing constants of
//! the Zipf family (generalized harmonic numbers) and the exact masses of
//! rank ranges, to double precision for any range up to 2^64.
//!
//! Short ranges and the first terms are summed directly (with compensated
//! summation); long ranges use the Euler–Maclaurin formula with three
//! Bernoulli corrections, started far enough out that the next correction
//! is below double precision.

/// Ranges with fewer terms than this are summed term by term.
const DIRECT_TERMS: u64 = 2048;

/// Euler–Maclaurin is applied from at least this k (and from at least
/// `EM_START_PER_S · s`), where its first omitted term, of relative size
/// about `(s / (2π k))^7`, is far below 2^-53.
const EM_START: u64 = 1024;

/// See [`EM_START`].
const EM_START_PER_S: f64 = 16.0;

/// `Σ_{k=first}^{last} k^-s`, for 1 ≤ first and s > 0 (0 when the range is
/// empty).
///
/// Long ranges `[a, m]` use Euler–Maclaurin:
/// `∫_a^m x^-s dx + (a^-s + m^-s)/2 + Σ_{j=1}^{3} B_2j/(2j)! · P_j ·
/// (a^(1-s-2j) - m^(1-s-2j))`, with `P_j = s(s+1)…(s+2j-2)` and Bernoulli
/// numbers B_2 = 1/6, B_4 = -1/30, B_6 = 1/42.
pub fn power_sum(first: u64, last: u64, s: f64) -> f64 {
    debug_assert!(first >= 1 && s > 0.0);
    if last < first {
        return 0.0;
    }
    if last - first < DIRECT_TERMS {
        return direct_sum(first, last, s);
    }

    let em_start = (EM_START as f64).max(EM_START_PER_S * s);
    let split = if em_start >= last as f64 {
        last
    } else {
        first.max(em_start as u64)
    };
    let head = if split > first {
        direct_sum(first, split - 1, s)
    } else {
        0.0
    };
    if split == last {
        return head + (last as f64).powf(-s);
    }
    head + euler_maclaurin(split, last, s)
}

/// `Σ_{k=first}^{last} k^-s` term by term, in increasing k with Neumaier's
/// compensation. The terms decrease, so the sum stops once they underflow.
fn direct_sum(first: u64, last: u64, s: f64) -> f64 {
    let (mut sum, mut carry) = (0.0f64, 0.0f64);
    for k in first..=last {
        let term = (k as f64).powf(-s);
        if term == 0.0 {
            break;
        }
        let t = sum + term;
        if sum.abs() >= term {
            carry += (sum - t) + term;
        } else {
            carry += (term - t) + sum;
        }
        sum = t;
    }
    sum + carry
}

/// Euler–Maclaurin estimate of `Σ_{k=a}^{m} k^-s` (see [`power_sum`]).
fn euler_maclaurin(a: u64, m: u64, s: f64) -> f64 {
    let (af, mf) = (a as f64, m as f64);

    // ∫_a^m x^-s dx = a^(1-s) · expm1((1-s) ln(m/a)) / (1-s), which stays
    // accurate as s → 1 (where it becomes ln(m/a)).
    let log_ratio = ((m - a) as f64 / af).ln_1p();
    let t = 1.0 - s;
    let integral = if t == 0.0 {
        log_ratio
    } else {
        af.powf(t) * (t * log_ratio).exp_m1() / t
    };

    let ends = (af.powf(-s) + mf.powf(-s)) / 2.0;

    const BERNOULLI_OVER_FACTORIAL: [f64; 3] = [1.0 / 12.0, -1.0 / 720.0, 1.0 / 30240.0];
    let mut corrections = 0.0;
    let mut rising = s; // P_j = s(s+1)…(s+2j-2)
    for (j, coeff) in BERNOULLI_OVER_FACTORIAL.iter().enumerate() {
        let power = t - 2.0 * (j as f64 + 1.0); // 1 - s - 2j
        corrections += coeff * rising * (af.powf(power) - mf.powf(power));
        let next = s + 2.0 * j as f64;
        rising *= (next + 1.0) * (next + 2.0);
    }

    integral + ends + corrections
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relative_error(got: f64, want: f64) -> f64 {
        ((got - want) / want).abs()
    }

    #[test]
    fn matches_direct_summation_across_the_switch() {
        for &s in &[0.3, 0.99, 1.0, 1.01, 2.5, 7.0] {
            for &(first, last) in &[(1, 5000), (3, 40_000), (1500, 9000), (1, 200_000)] {
                let got = power_sum(first, last, s);
                let want = direct_sum(first, last, s);
                assert!(
                    relative_error(got, want) < 1e-13,
                    "s={s} [{first}, {last}]: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn harmonic_numbers_match_asymptotic_series() {
        // H_n = ln n + γ + 1/(2n) - 1/(12n²) + 1/(120n⁴) - …
        let gamma = 0.577_215_664_901_532_9;
        for &n in &[1e6f64, 1e9, 1e12] {
            let want = n.ln() + gamma + 1.0 / (2.0 * n) - 1.0 / (12.0 * n * n);
            let got = power_sum(1, n as u64, 1.0);
            assert!(relative_error(got, want) < 1e-14, "H_{n}: {got} vs {want}");
        }
    }

    #[test]
    fn sums_of_inverse_squares_approach_zeta_two() {
        // Σ_{k≤n} k^-2 = π²/6 - 1/n + 1/(2n²) - 1/(6n³) + …
        let zeta2 = std::f64::consts::PI.powi(2) / 6.0;
        for &n in &[1e5f64, 1e8, 2f64.powi(40)] {
            let want = zeta2 - 1.0 / n + 1.0 / (2.0 * n * n);
            let got = power_sum(1, n as u64, 2.0);
            assert!(relative_error(got, want) < 1e-14, "n={n}: {got} vs {want}");
        }
    }

    #[test]
    fn sums_split_additively() {
        for &s in &[0.5, 1.0, 1.5] {
            let whole = power_sum(1, 10_000_000, s);
            let parts = power_sum(1, 123_456, s) + power_sum(123_457, 10_000_000, s);
            assert!(relative_error(parts, whole) < 1e-14, "s={s}");
        }
    }

    #[test]
    fn large_exponents_and_empty_ranges() {
        assert_eq!(power_sum(5, 4, 1.0), 0.0);
        assert_eq!(power_sum(1, u64::MAX, 2000.0), 1.0);
        let got = power_sum(1, 1 << 40, 60.0);
        assert!(relative_error(got, 1.0 + 2f64.powi(-60)) < 1e-15);
    }
}
