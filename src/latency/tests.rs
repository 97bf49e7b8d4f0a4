//! Tests of the whole latency model against queueing theory.

use super::*;
use crate::workload::ServiceDist;

/// Everything a [`LatencyInput`] borrows.
struct Case {
    spec: LatencySpec,
    costs: Vec<f64>,
    load: Vec<Vec<u64>>,
    events: u64,
    touches: Vec<Vec<Touch>>,
    partitions: u32,
}

impl Case {
    /// One class of cost 1 spread evenly over `partitions`, each receiving
    /// `rate_per_ms` requests per ms of mean service 1 ms, simulated for
    /// about `requests` requests per partition.
    fn uniform(partitions: u32, rate_per_ms: f64, service: ServiceDist, requests: u64) -> Self {
        let per_partition = 1000;
        let rate_per_sec = rate_per_ms * 1000.0 * partitions as f64;
        Self {
            spec: LatencySpec {
                rate_per_sec,
                workers: 1,
                service_mean_ms: 1.0,
                service,
                duration_sec: requests as f64 / (rate_per_ms * 1000.0),
            },
            costs: vec![1.0],
            load: vec![vec![per_partition; partitions as usize]],
            events: per_partition * partitions as u64,
            touches: vec![Vec::new()],
            partitions,
        }
    }

    fn input(&self, traffic: f64, seed: u64) -> LatencyInput<'_> {
        LatencyInput {
            spec: &self.spec,
            traffic,
            op_costs: &self.costs,
            load: &self.load,
            events: self.events,
            touches: &self.touches,
            partitions: self.partitions,
            seed,
        }
    }
}

/// A budget that lets every partition run `requests` measured requests.
fn budget(requests: u64) -> Budget {
    Budget {
        min_requests: 1_000,
        max_requests: requests,
        max_total_requests: u64::MAX,
    }
}

fn relative_error(got: f64, expected: f64) -> f64 {
    (got - expected).abs() / expected
}

/// M/M/1 at ρ = 0.6 with μ = 1/ms: latency is exponential with rate
/// μ − λ = 0.4/ms, so the mean is 2.5 ms and the p99 ln(100)/0.4 = 11.51 ms.
/// 8 partitions of 100k requests; over seeds the estimates spread by
/// about 0.4 % (mean) and 0.7 % (p99) (standard deviations over 20 seeds);
/// the bound is 2 %.
#[test]
fn mm1_mean_and_p99_match_closed_forms() {
    let (lambda, service) = (0.6, 1.0);
    let case = Case::uniform(8, lambda, ServiceDist::Exponential, 100_000);
    let report = simulate_with(&case.input(1.0, 1), &budget(100_000));

    let mean = theory::mg1_mean_sojourn_ms(lambda, service, 2.0 * service * service);
    let p99 = theory::mm1_sojourn_quantile_ms(lambda, service, 0.99);
    let all = &report.all;
    assert!(
        relative_error(all.mean_ms, mean) < 0.02,
        "mean {} vs {mean}",
        all.mean_ms
    );
    assert!(
        relative_error(all.p99_ms, p99) < 0.02,
        "p99 {} vs {p99}",
        all.p99_ms
    );

    let partitions = report.partitions.len() as f64;
    let own_mean: f64 = report.partitions.iter().map(|p| p.mean_ms).sum::<f64>() / partitions;
    assert!(
        relative_error(own_mean, mean) < 0.02,
        "partition mean {own_mean}"
    );
    assert!((report.hottest_utilization - 0.6).abs() < 1e-12);
    assert!((report.headroom - 1.0 / 0.6).abs() < 1e-12);
}

/// M/D/1 at ρ = 0.6 with service 1 ms: Pollaczek–Khinchine gives
/// ρ/(2μ(1 − ρ)) + 1/μ = 1.75 ms. 4 partitions of 100k requests spread by
/// 0.25 % over seeds; the bound is 2 %.
#[test]
fn md1_mean_matches_pollaczek_khinchine() {
    let lambda = 0.6;
    let case = Case::uniform(4, lambda, ServiceDist::Constant, 100_000);
    let report = simulate_with(&case.input(1.0, 2), &budget(100_000));

    let expected = theory::mg1_mean_sojourn_ms(lambda, 1.0, 1.0);
    assert!((expected - 1.75).abs() < 1e-12);
    let all = &report.all;
    assert!(
        relative_error(all.mean_ms, expected) < 0.02,
        "mean {}",
        all.mean_ms
    );
    // 40 % of requests find the queue empty and take exactly the service
    // time: the curve is flat at 1 ms up to its 29th percentile.
    assert!(relative_error(report.curve[0].1, 1.0) < 0.001);
    assert_eq!(report.curve[3].1, report.curve[0].1);
    assert!(all.p50_ms > 1.0);
}

/// Two classes of cost 1 and 3 (shares 3/4 and 1/4), exponential base
/// service of 0.5 ms, λ = 0.8/ms: the service time is a mixture with
/// E\[S\] = 0.75 ms and E\[S²\] = 2·0.25·(0.75 + 0.25·9) = 1.5 ms², so
/// ρ = 0.6 and the P-K mean latency is 0.8·1.5/0.8 + 0.75 = 2.25 ms. The
/// class-mix tables of the query-level scope must reproduce it. 8
/// partitions of 150k requests; over seeds the estimate spreads by about
/// 0.6 % (standard deviation over 20 seeds); the bound is 3 %.
#[test]
fn class_mix_mean_matches_pollaczek_khinchine() {
    let partitions = 8;
    let rate_per_ms = 0.8;
    let requests = 150_000;
    let case = Case {
        spec: LatencySpec {
            rate_per_sec: rate_per_ms * 1000.0 * partitions as f64,
            workers: 1,
            service_mean_ms: 0.5,
            service: ServiceDist::Exponential,
            duration_sec: requests as f64 / (rate_per_ms * 1000.0),
        },
        costs: vec![1.0, 3.0],
        load: vec![vec![3000; partitions], vec![1000; partitions]],
        events: 4000 * partitions as u64,
        touches: vec![Vec::new(), vec![Touch::One(0), Touch::One(2)]],
        partitions: partitions as u32,
    };
    let report = simulate_with(&case.input(1.0, 3), &budget(requests));
    assert!((report.hottest_utilization - 0.6).abs() < 1e-12);
    let expected = theory::mg1_mean_sojourn_ms(rate_per_ms, 0.75, 1.5);
    let got = report.all.mean_ms;
    assert!(
        relative_error(got, expected) < 0.03,
        "mean {got} vs {expected}"
    );
}

/// One partition with three times the others' load, at a traffic where it
/// is at ρ = 1.2 and the others at 0.4.
fn skewed() -> Case {
    let mut case = Case::uniform(4, 0.4, ServiceDist::Exponential, 5_000);
    case.load = vec![vec![3000, 1000, 1000, 1000]];
    case.events = 4000;
    case.spec.rate_per_sec = 1600.0;
    case
}

#[test]
fn saturation_is_detected_and_not_reported_as_numbers() {
    let case = skewed();
    let report = simulate_with(&case.input(1.0, 4), &budget(5_000));
    assert_eq!(report.saturated_partitions, 1);
    assert!((report.hottest_utilization - 1.2).abs() < 1e-12);
    assert!(report.headroom < 1.0);

    let hot = &report.partitions[0];
    assert!(hot.saturated && hot.p99_ms.is_nan() && hot.mean_ms.is_nan());
    let cold = &report.partitions[1];
    assert!(!cold.saturated && cold.p99_ms.is_finite() && cold.p99_ms > 0.0);
    assert!(report.all.saturated && report.all.p50_ms.is_nan());
    assert!(report.curve.is_empty());

    // At half the traffic nothing saturates, and headroom says by how much.
    let calm = simulate_with(&case.input(0.5, 4), &budget(5_000));
    assert_eq!(calm.saturated_partitions, 0);
    assert!((calm.headroom - 0.5 / 0.6).abs() < 1e-12);
    assert!(!calm.all.saturated && calm.all.p99_ms.is_finite());
}

/// Eight M/M/1 partitions at ρ = 0.5 (latency exponential with rate
/// 0.5/ms). A query touching all of them takes the slowest answer, whose
/// median is −ln(1 − 0.5^(1/8))/0.5 = 4.76 ms, against 1.39 ms for one
/// partition. Over seeds the p50 spreads by 0.6 %; the bound is 3 %.
#[test]
fn scatter_gather_waits_for_the_slowest_partition() {
    let k = 8;
    let mut case = Case::uniform(k, 0.5, ServiceDist::Exponential, 50_000);
    let single = simulate_with(&case.input(1.0, 5), &budget(50_000));
    case.touches = vec![vec![Touch::All; 16]];
    let gather = simulate_with(&case.input(1.0, 5), &budget(50_000));

    let expected = -(1.0 - 0.5f64.powf(1.0 / k as f64)).ln() / 0.5;
    let got = gather.all.p50_ms;
    assert!(
        relative_error(got, expected) < 0.03,
        "p50 {got} vs {expected}"
    );
    assert!(gather.partitions.iter().all(|p| got >= p.p50_ms));
    assert!(got > 3.0 * single.all.p50_ms);
    assert!(relative_error(single.all.p50_ms, 2.0 * 2f64.ln()) < 0.03);
}

/// A mix of single-partition and scatter classes over skewed partitions.
fn mixed() -> Case {
    let partitions = 16u32;
    let hot: Vec<u64> = (0..partitions as u64).map(|p| 400 + 60 * p).collect();
    Case {
        spec: LatencySpec {
            rate_per_sec: 4000.0,
            workers: 2,
            service_mean_ms: 1.0,
            service: ServiceDist::Lognormal { sigma: 1.0 },
            duration_sec: 4.0,
        },
        costs: vec![1.0, 2.0],
        load: vec![hot, vec![100; partitions as usize]],
        events: 12_000,
        touches: vec![
            Vec::new(),
            vec![Touch::Span(0, 3), Touch::Set(vec![1, 9, 12]), Touch::All],
        ],
        partitions,
    }
}

#[test]
fn reports_are_identical_at_any_thread_count() {
    let case = mixed();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let report = pool.install(|| simulate_with(&case.input(1.0, 6), &budget(4_000)));
        serde_json::to_string(&report).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));

    let other_seed = simulate_with(&case.input(1.0, 7), &budget(4_000));
    assert_ne!(one, serde_json::to_string(&other_seed).unwrap());
}

#[test]
fn more_traffic_means_higher_latency_and_less_headroom() {
    let case = mixed();
    let low = simulate_with(&case.input(1.0, 8), &budget(4_000));
    let high = simulate_with(&case.input(2.0, 8), &budget(4_000));
    assert!((high.hottest_utilization - 2.0 * low.hottest_utilization).abs() < 1e-12);
    assert!((high.headroom - low.headroom).abs() < 1e-12);
    assert!(high.all.p99_ms > low.all.p99_ms && high.all.p50_ms > low.all.p50_ms);
}

#[test]
fn curve_rises_from_the_minimum_to_the_p9999() {
    let report = simulate_with(&mixed().input(1.0, 9), &budget(4_000));
    let curve = &report.curve;
    assert_eq!(curve.len(), 81);
    assert_eq!(curve[0].0, 0.0);
    assert_eq!(curve[20].0, 90.0);
    assert_eq!(curve[80].0, 99.99);
    assert!(
        curve
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1)
    );
    let at = |pct: f64| curve.iter().find(|(p, _)| *p == pct).unwrap().1;
    assert!(relative_error(at(90.0), report.all.p90_ms) < 1e-12);
    assert!(relative_error(at(99.0), report.all.p99_ms) < 1e-12);
}

#[test]
fn idle_partitions_report_zeros() {
    let mut case = Case::uniform(3, 0.5, ServiceDist::Exponential, 2_000);
    case.load = vec![vec![1000, 0, 1000]];
    let report = simulate_with(&case.input(1.0, 10), &budget(2_000));
    assert_eq!(report.partitions[1], Percentiles::default());
    assert!(report.partitions[0].p50_ms > 0.0);
    assert!(report.all.p50_ms > 0.0 && !report.all.saturated);
}

#[test]
fn no_load_at_all_is_not_an_error() {
    let mut case = Case::uniform(2, 0.5, ServiceDist::Exponential, 2_000);
    case.events = 0;
    let report = simulate(&case.input(1.0, 11));
    assert_eq!(report.saturated_partitions, 0);
    assert_eq!(report.headroom, f64::INFINITY);
    assert!(report.curve.is_empty());
}

#[test]
fn request_counts_respect_the_budget() {
    let spec = LatencySpec {
        duration_sec: 10.0,
        ..LatencySpec::default()
    };
    let rates = vec![vec![1e6], vec![100.0], vec![0.0], vec![10_000.0]];
    let rhos = vec![0.5, 0.5, 0.0, 1.0];
    let b = Budget {
        min_requests: 5_000,
        max_requests: 200_000,
        max_total_requests: 100_000,
    };
    let counts = request_counts(&spec, &rates, &rhos, &b);
    assert_eq!(counts[2], 0);
    assert_eq!(counts[3], 0, "saturated partitions are not simulated");
    assert_eq!(counts[1], 5_000);
    assert!(counts[0] < 200_000 && counts[0] > counts[1]);
    // Scaled to the total, except where the floor raises a count back.
    assert!(counts.iter().sum::<u64>() <= 100_000 + b.min_requests);
}
