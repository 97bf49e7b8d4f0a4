//! Nanoseconds per sample of every key generator, with `rand_distr::Zipf`
//! beside ours for the same parameters, and the setup cost of the Zipf
//! sampler. Run with `cargo bench --bench generators`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand_distr::Distribution;
use shardbench::generator::{self, AliasTable, Zipf};
use shardbench::rng::Rng;
use shardbench::workload::GenSpec;

/// Samples per measured iteration.
const BATCH: usize = 4096;

fn zipf(n: u64, s: f64, scramble: bool) -> GenSpec {
    GenSpec::Zipf { n, s, scramble }
}

fn specs() -> Vec<(&'static str, GenSpec)> {
    vec![
        ("uniform/1e7", GenSpec::Uniform { n: 10_000_000 }),
        ("zipf/1e7/s=0.5", zipf(10_000_000, 0.5, false)),
        ("zipf/1e7/s=0.99", zipf(10_000_000, 0.99, false)),
        ("zipf/1e7/s=1.2", zipf(10_000_000, 1.2, false)),
        ("zipf/1e7/s=1.5", zipf(10_000_000, 1.5, false)),
        ("zipf/2^40/s=0.99", zipf(1 << 40, 0.99, false)),
        ("zipf/2^40/s=1.2", zipf(1 << 40, 1.2, false)),
        ("zipf-scrambled/1e7/s=0.99", zipf(10_000_000, 0.99, true)),
        (
            "hotspot/1e7",
            GenSpec::Hotspot {
                n: 10_000_000,
                hot_fraction: 0.01,
                hot_share: 0.9,
            },
        ),
        (
            "latest/1e6+1/s=0.99",
            GenSpec::Latest {
                initial: 1_000_000,
                growth: 1.0,
                s: 0.99,
            },
        ),
        (
            "sequence",
            GenSpec::Sequence {
                start: 0,
                per_unit: 3.0,
            },
        ),
        (
            "categorical/8",
            GenSpec::Categorical {
                values: (0..8).map(|i| i.to_string()).collect(),
                weights: vec![40.0, 20.0, 10.0, 10.0, 8.0, 6.0, 4.0, 2.0],
            },
        ),
        (
            "celebrity/1e7/100",
            GenSpec::Celebrity {
                n: 10_000_000,
                celebrities: 100,
                share: 0.2,
                s: 1.0,
            },
        ),
    ]
}

fn samplers(c: &mut Criterion) {
    let mut group = c.benchmark_group("sample");
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut out = vec![0u64; BATCH];

    for (name, spec) in specs() {
        let g = generator::build(&spec).unwrap();
        let mut rng = Rng::from_seed(1);
        let mut start = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                g.fill(&mut rng, start, &mut out);
                start += BATCH as u64;
                black_box(&out);
            })
        });
    }

    let ops = AliasTable::new(&[0.7, 0.2, 0.05, 0.05]).unwrap();
    let mut rng = Rng::from_seed(2);
    group.bench_function("alias/4 ops", |b| {
        b.iter(|| {
            for v in out.iter_mut() {
                *v = ops.sample(&mut rng) as u64;
            }
            black_box(&out);
        })
    });

    for s in [0.99, 1.2] {
        let theirs = rand_distr::Zipf::new(1e7, s).unwrap();
        let mut rng = Rng::from_seed(3);
        group.bench_function(format!("rand_distr-zipf/1e7/s={s}"), |b| {
            b.iter(|| {
                for v in out.iter_mut() {
                    *v = theirs.sample(&mut rng) as u64 - 1;
                }
                black_box(&out);
            })
        });
    }
    group.finish();
}

fn setup(c: &mut Criterion) {
    let mut group = c.benchmark_group("zipf-setup");
    for (name, n, s) in [
        ("1e7/s=0.99", 10_000_000u64, 0.99),
        ("2^40/s=0.99", 1 << 40, 0.99),
        ("2^40/s=1.5", 1 << 40, 1.5),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| Zipf::new(black_box(n), black_box(s)).unwrap())
        });
    }
    group.finish();
}

// Plots are off: they need system fonts, and the numbers are what matter.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = samplers, setup
}
criterion_main!(benches);
