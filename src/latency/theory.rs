//! Closed forms of queueing theory for the queues the latency model
//! simulates: the references its tests check it against, and quick
//! estimates for a report.
//!
//! Rates are per ms and times in ms. All of them assume a stable queue
//! (ρ < 1) and return infinity otherwise.

use crate::workload::ServiceDist;

/// The second moment E\[S²\] of a service time with distribution `dist`
/// and mean m: m² (constant), 2m² (exponential), m²·exp(σ²) (lognormal,
/// σ the standard deviation of its log).
pub fn service_second_moment(dist: ServiceDist, mean_ms: f64) -> f64 {
    let m2 = mean_ms * mean_ms;
    match dist {
        ServiceDist::Constant => m2,
        ServiceDist::Exponential => 2.0 * m2,
        ServiceDist::Lognormal { sigma } => m2 * (sigma * sigma).exp(),
    }
}

/// Mean sojourn time (wait + service) of an M/G/1 queue by the
/// Pollaczek–Khinchine formula:
///
/// T = λ·E\[S²\] / (2(1 − ρ)) + E\[S\],  with ρ = λ·E\[S\].
///
/// With exponential service (E\[S²\] = 2/μ²) this is the M/M/1 mean
/// 1/(μ − λ); with constant service (E\[S²\] = 1/μ²) the M/D/1 mean
/// ρ/(2μ(1 − ρ)) + 1/μ.
pub fn mg1_mean_sojourn_ms(rate_per_ms: f64, mean_service_ms: f64, second_moment: f64) -> f64 {
    let rho = rate_per_ms * mean_service_ms;
    if rho >= 1.0 {
        return f64::INFINITY;
    }
    rate_per_ms * second_moment / (2.0 * (1.0 - rho)) + mean_service_ms
}

/// Quantile q of the M/M/1 sojourn time, which is exponential with rate
/// μ − λ: T_q = −ln(1 − q)/(μ − λ). The p99 is ln(100)/(μ − λ).
pub fn mm1_sojourn_quantile_ms(rate_per_ms: f64, mean_service_ms: f64, q: f64) -> f64 {
    let slack = 1.0 / mean_service_ms - rate_per_ms;
    if slack <= 0.0 {
        return f64::INFINITY;
    }
    -(1.0 - q).ln() / slack
}

/// Erlang's C formula: the probability that an arrival to an M/M/c queue
/// with offered load a = λ/μ (< c) has to wait,
///
/// C(c, a) = (aᶜ/c!)·(c/(c − a)) / (Σ_{k<c} aᵏ/k! + (aᶜ/c!)·(c/(c − a))),
///
/// computed without factorials through Erlang B: B(0) = 1,
/// B(k) = a·B(k−1)/(k + a·B(k−1)), and C = c·B(c)/(c − a(1 − B(c))).
pub fn erlang_c(workers: u32, offered: f64) -> f64 {
    let c = workers as f64;
    if offered >= c {
        return 1.0;
    }
    let mut b = 1.0;
    for k in 1..=workers {
        b = offered * b / (k as f64 + offered * b);
    }
    c * b / (c - offered * (1.0 - b))
}

/// Mean wait in queue of an M/M/c queue: W_q = C(c, λ/μ)/(cμ − λ).
pub fn mmc_mean_wait_ms(workers: u32, rate_per_ms: f64, mean_service_ms: f64) -> f64 {
    let mu = 1.0 / mean_service_ms;
    let slack = workers as f64 * mu - rate_per_ms;
    if slack <= 0.0 {
        return f64::INFINITY;
    }
    erlang_c(workers, rate_per_ms / mu) / slack
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pollaczek_khinchine_reduces_to_mm1_and_md1() {
        let (lambda, s) = (0.6, 1.0);
        let mm1 = mg1_mean_sojourn_ms(lambda, s, 2.0 * s * s);
        assert!((mm1 - 1.0 / (1.0 - lambda)).abs() < 1e-12);
        let md1 = mg1_mean_sojourn_ms(lambda, s, s * s);
        assert!((md1 - (0.6 / (2.0 * 0.4) + 1.0)).abs() < 1e-12);
    }

    /// With one worker Erlang C is the utilization, and M/M/c is M/M/1.
    #[test]
    fn erlang_c_with_one_worker_is_the_utilization() {
        assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
        let wq = mmc_mean_wait_ms(1, 0.7, 1.0);
        assert!((wq - (1.0 / 0.3 - 1.0)).abs() < 1e-12);
    }

    /// C(2, 1) by the closed form: (1/2)·2 / (1 + 1 + 1) = 1/3.
    #[test]
    fn erlang_c_matches_the_closed_form() {
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn unstable_queues_have_infinite_latency() {
        assert_eq!(mg1_mean_sojourn_ms(1.0, 1.0, 2.0), f64::INFINITY);
        assert_eq!(mm1_sojourn_quantile_ms(2.0, 1.0, 0.5), f64::INFINITY);
        assert_eq!(mmc_mean_wait_ms(2, 2.0, 1.0), f64::INFINITY);
    }
}
