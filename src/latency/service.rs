//! Service-time draws for the latency model: constant, exponential and
//! lognormal, all with a given mean.
//!
//! The draws are written here from their textbook definitions (inversion
//! for the exponential, Box–Muller for the normal behind the lognormal)
//! rather than taken from a distributions crate, so that a seed gives the
//! same service times whatever the versions of the dependencies.

use std::f64::consts::TAU;

use crate::rng::Rng;
use crate::workload::ServiceDist;

/// Draws the service times of an operation of cost 1, in ms.
#[derive(Clone, Debug)]
pub struct Service {
    shape: Shape,
    /// The second normal of the last Box–Muller pair, not yet used.
    spare_normal: Option<f64>,
}

#[derive(Clone, Copy, Debug)]
enum Shape {
    Constant { mean: f64 },
    Exponential { mean: f64 },
    Lognormal { mu: f64, sigma: f64 },
}

impl Service {
    /// A sampler of `dist` with mean `mean_ms`.
    ///
    /// The lognormal's log has standard deviation σ and mean
    /// μ = ln(mean) − σ²/2, which makes E\[S\] = exp(μ + σ²/2) the given mean.
    pub fn new(dist: ServiceDist, mean_ms: f64) -> Self {
        let shape = match dist {
            ServiceDist::Constant => Shape::Constant { mean: mean_ms },
            ServiceDist::Exponential => Shape::Exponential { mean: mean_ms },
            ServiceDist::Lognormal { sigma } => Shape::Lognormal {
                mu: mean_ms.ln() - sigma * sigma / 2.0,
                sigma,
            },
        };
        Self {
            shape,
            spare_normal: None,
        }
    }

    /// One service time, in ms.
    #[inline]
    pub fn draw(&mut self, rng: &mut Rng) -> f64 {
        match self.shape {
            Shape::Constant { mean } => mean,
            // Inversion: −m·ln U is exponential with mean m for U uniform on (0, 1].
            Shape::Exponential { mean } => -mean * rng.next_f64_open0().ln(),
            Shape::Lognormal { mu, sigma } => (mu + sigma * self.normal(rng)).exp(),
        }
    }

    /// A standard normal by Box–Muller: for U₁ on (0, 1] and U₂ on [0, 1),
    /// √(−2 ln U₁)·cos(2πU₂) and √(−2 ln U₁)·sin(2πU₂) are independent
    /// standard normals; the second is kept for the next call.
    fn normal(&mut self, rng: &mut Rng) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let radius = (-2.0 * rng.next_f64_open0().ln()).sqrt();
        let (sin, cos) = (TAU * rng.next_f64()).sin_cos();
        self.spare_normal = Some(radius * sin);
        radius * cos
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::theory;

    /// Sample mean and variance of `n` draws.
    fn moments(dist: ServiceDist, mean: f64, n: usize, seed: u64) -> (f64, f64) {
        let mut service = Service::new(dist, mean);
        let mut rng = Rng::from_seed(seed);
        let draws: Vec<f64> = (0..n).map(|_| service.draw(&mut rng)).collect();
        let m = draws.iter().sum::<f64>() / n as f64;
        let v = draws.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        (m, v)
    }

    #[test]
    fn constant_service_is_the_mean() {
        let (m, v) = moments(ServiceDist::Constant, 0.25, 1000, 1);
        assert_eq!(m, 0.25);
        assert!(v.abs() < 1e-24);
    }

    /// Exponential with mean 2: mean 2 and variance 4. With 200k draws the
    /// standard errors are 0.0045 (mean) and ≈ 0.04 (variance); the bounds
    /// are about 5 standard errors.
    #[test]
    fn exponential_service_has_its_mean_and_variance() {
        let (m, v) = moments(ServiceDist::Exponential, 2.0, 200_000, 2);
        assert!((m - 2.0).abs() < 0.025, "mean {m}");
        assert!((v - 4.0).abs() < 0.2, "variance {v}");
    }

    /// Lognormal with mean 1 and σ = 0.5: variance m²(e^{σ²} − 1) = 0.284.
    #[test]
    fn lognormal_service_has_its_mean_and_variance() {
        let dist = ServiceDist::Lognormal { sigma: 0.5 };
        let (m, v) = moments(dist, 1.0, 200_000, 3);
        let var = theory::service_second_moment(dist, 1.0) - 1.0;
        assert!((m - 1.0).abs() < 0.006, "mean {m}");
        assert!((v - var).abs() < 0.015, "variance {v} vs {var}");
    }

    /// Chi-square goodness of fit of the Box–Muller normal over 10 cells of
    /// equal probability (deciles of N(0, 1)); 9 degrees of freedom, the
    /// critical value at significance 0.001 is 27.88.
    #[test]
    fn box_muller_normals_fit_the_standard_normal() {
        const DECILES: [f64; 9] = [
            -1.281552, -0.841621, -0.524401, -0.253347, 0.0, 0.253347, 0.524401, 0.841621, 1.281552,
        ];
        let n = 100_000;
        let mut service = Service::new(ServiceDist::Lognormal { sigma: 1.0 }, 1.0);
        let mut rng = Rng::from_seed(4);
        let mut cells = [0u64; 10];
        for _ in 0..n {
            let z = service.normal(&mut rng);
            cells[DECILES.partition_point(|&d| d < z)] += 1;
        }
        let expected = n as f64 / 10.0;
        let chi2: f64 = cells
            .iter()
            .map(|&o| (o as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 27.88, "chi-square {chi2}, cells {cells:?}");
    }
}
