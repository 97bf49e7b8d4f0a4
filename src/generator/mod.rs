//! Key generators: the distributions that workload fields draw from.
//!
//! Each generator turns a [`GenSpec`] into a sampler that fills a column of
//! a batch. A generator sees the event's index in the stream, so that
//! position-dependent ones (`sequence`, `latest`) stay exact however the
//! stream is cut into chunks. One file per distribution; [`build`] is the
//! only place that matches on the spec. The building blocks they share are
//! public too: [`AliasTable`] (the engine picks ops with it), the exact
//! [`Zipf`] sampler, the [`Scatter`] permutation and [`power_sum()`].

pub mod alias;
pub mod categorical;
pub mod celebrity;
pub mod hotspot;
pub mod latest;
pub mod power_sum;
pub mod scatter;
pub mod sequence;
pub mod uniform;
pub mod zipf;

#[cfg(test)]
mod testing;

pub use alias::AliasTable;
pub use categorical::Categorical;
pub use celebrity::Celebrity;
pub use hotspot::Hotspot;
pub use latest::Latest;
pub use power_sum::power_sum;
pub use scatter::Scatter;
pub use sequence::Sequence;
pub use uniform::Uniform;
pub use zipf::{ScrambledZipf, Zipf};

use crate::rng::Rng;
use crate::workload::GenSpec;

/// A sampler of one field's values.
pub trait Generator: Send + Sync {
    /// One value for the event at stream index `index`.
    fn sample(&self, rng: &mut Rng, index: u64) -> u64;

    /// Fills `out` with values for events `start..start + out.len()`,
    /// each drawn as `sample` would draw it, independently. An
    /// implementation may consume `rng` differently from repeated `sample`
    /// calls (uniform runs two generator chains side by side).
    fn fill(&self, rng: &mut Rng, start: u64, out: &mut [u64]) {
        for (i, v) in out.iter_mut().enumerate() {
            *v = self.sample(rng, start + i as u64);
        }
    }

    /// The values a run of `events` events can produce lie in `lo..hi`.
    /// This is the key space that storage and movement are measured over.
    fn domain(&self, events: u64) -> (u64, u64);
}

/// Builds the sampler for a spec. The spec has already been validated by
/// the workload parser; `build` still refuses specs it cannot sample, with
/// a message saying what is allowed.
pub fn build(spec: &GenSpec) -> Result<Box<dyn Generator>, String> {
    Ok(match spec {
        GenSpec::Uniform { n } => Box::new(Uniform::new(*n)?),
        GenSpec::Zipf {
            n,
            s,
            scramble: false,
        } => Box::new(Zipf::new(*n, *s)?),
        GenSpec::Zipf {
            n,
            s,
            scramble: true,
        } => Box::new(ScrambledZipf::new(*n, *s)?),
        GenSpec::Hotspot {
            n,
            hot_fraction,
            hot_share,
        } => Box::new(Hotspot::new(*n, *hot_fraction, *hot_share)?),
        GenSpec::Latest { initial, growth, s } => Box::new(Latest::new(*initial, *growth, *s)?),
        GenSpec::Sequence { start, per_unit } => Box::new(Sequence::new(*start, *per_unit)?),
        GenSpec::Categorical { values, weights } => Box::new(Categorical::new(values, weights)?),
        GenSpec::Celebrity {
            n,
            celebrities,
            share,
            s,
        } => Box::new(Celebrity::new(*n, *celebrities, *share, *s)?),
        GenSpec::Trace { .. } => {
            return Err("trace fields are read by the trace reader, not generated".to_string());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> Vec<GenSpec> {
        vec![
            GenSpec::Uniform { n: 10 },
            GenSpec::Zipf {
                n: 10,
                s: 1.0,
                scramble: false,
            },
            GenSpec::Zipf {
                n: 10,
                s: 1.0,
                scramble: true,
            },
            GenSpec::Hotspot {
                n: 10,
                hot_fraction: 0.2,
                hot_share: 0.9,
            },
            GenSpec::Latest {
                initial: 10,
                growth: 0.0,
                s: 1.0,
            },
            GenSpec::Sequence {
                start: 0,
                per_unit: 1.0,
            },
            GenSpec::Categorical {
                values: (0..10).map(|i| i.to_string()).collect(),
                weights: vec![1.0; 10],
            },
            GenSpec::Celebrity {
                n: 10,
                celebrities: 2,
                share: 0.5,
                s: 1.0,
            },
        ]
    }

    #[test]
    fn builds_every_kind_with_values_in_its_domain() {
        for spec in every_kind() {
            let g = build(&spec).unwrap_or_else(|e| panic!("{}: {e}", spec.dist_name()));
            assert_eq!(g.domain(10), (0, 10), "{}", spec.dist_name());
            let mut rng = Rng::from_seed(71);
            let mut out = [0u64; 10];
            g.fill(&mut rng, 0, &mut out);
            assert!(out.iter().all(|&v| v < 10), "{}: {out:?}", spec.dist_name());
        }
    }

    /// Every generator but uniform fills exactly as it samples; uniform's
    /// two-chain fill is checked by its own goodness-of-fit and
    /// independence tests.
    #[test]
    fn fill_matches_sample_one_by_one() {
        for spec in every_kind()
            .into_iter()
            .filter(|s| s.dist_name() != "uniform")
        {
            let g = build(&spec).unwrap();
            let (mut a, mut b) = (Rng::from_seed(72), Rng::from_seed(72));
            let mut out = [0u64; 64];
            g.fill(&mut a, 100, &mut out);
            let one_by_one: Vec<u64> = (0..64).map(|i| g.sample(&mut b, 100 + i)).collect();
            assert_eq!(out.to_vec(), one_by_one, "{}", spec.dist_name());
        }
    }

    #[test]
    fn trace_is_refused() {
        let spec = GenSpec::Trace {
            path: "keys.txt".to_string(),
            column: None,
        };
        let err = build(&spec).err().unwrap();
        assert!(err.contains("trace reader"), "{err}");
    }

    #[test]
    fn invalid_specs_are_errors_not_panics() {
        let bad = [
            GenSpec::Uniform { n: 0 },
            GenSpec::Zipf {
                n: 10,
                s: -1.0,
                scramble: true,
            },
            GenSpec::Hotspot {
                n: 10,
                hot_fraction: 1.5,
                hot_share: 0.5,
            },
            GenSpec::Latest {
                initial: 0,
                growth: 1.0,
                s: 1.0,
            },
            GenSpec::Sequence {
                start: 0,
                per_unit: 0.0,
            },
            GenSpec::Categorical {
                values: vec!["a".to_string()],
                weights: vec![0.0],
            },
            GenSpec::Celebrity {
                n: 10,
                celebrities: 10,
                share: 0.5,
                s: 1.0,
            },
        ];
        for spec in bad {
            assert!(build(&spec).is_err(), "{spec:?} was accepted");
        }
    }
}
