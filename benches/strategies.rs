//! Lookup cost of every generic strategy, in time per batch of 4096 keys
//! (divide by 4096 for ns per lookup), at 16, 256 and 4096 partitions,
//! beside published crates.io implementations of jump hash (`jumpch`), a
//! hash ring (`hashring`, 128 virtual nodes per partition like `ring`) and
//! Maglev (`maglev-hash`, table of about 100 slots per partition).
//!
//! Run with `cargo bench --bench strategies -- --warm-up-time 1
//! --measurement-time 2`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use shardbench::batch::Batch;
use shardbench::error::Origin;
use shardbench::rng::{Rng, mix64};
use shardbench::strategy::{self, BuildContext, KeySample, Strategy};
use shardbench::workload::{GenSpec, Params, StrategySpec, Workload};

/// Partition counts benchmarked.
const SIZES: [u32; 3] = [16, 256, 4096];

/// Keys per timed batch.
const LOOKUPS: usize = 4096;

/// Size of the key space.
const SPACE: u64 = 1_000_000;

/// Virtual nodes per partition for both rings.
const VNODES: u32 = 128;

fn workload() -> Workload {
    Workload::with_fields("bench", &[("key", GenSpec::Uniform { n: SPACE })])
}

/// Skewed keys: k = floor((SPACE + 1)^u) - 1 with u uniform, so small keys
/// are hot, roughly like a Zipf law with exponent 1.
fn skewed_keys(seed: u64, count: usize) -> Vec<u64> {
    let mut rng = Rng::from_seed(seed);
    (0..count)
        .map(|_| ((SPACE as f64 + 1.0).powf(rng.next_f64()) - 1.0) as u64)
        .collect()
}

/// A sample of 100,000 events, counted as the engine counts them.
fn sample() -> KeySample {
    KeySample::new(skewed_keys(1, 100_000), None)
}

fn build(kind: &str, n: u32, w: &Workload, sample: &KeySample) -> Box<dyn Strategy> {
    let spec = StrategySpec {
        partitions: None,
        name: kind.to_string(),
        kind: kind.to_string(),
        key: vec![0],
        key_names: vec!["key".to_string()],
        params: Params::new(format!("strategies.{kind}"), "bench"),
        origin: Origin::default(),
    };
    let ctx = BuildContext {
        workload: w,
        spec: &spec,
        partitions: n,
        base_partitions: n,
        sample,
        domain: (0, SPACE),
        seed: 1,
    };
    match strategy::build(&ctx) {
        Ok(s) => s,
        Err(e) => panic!("{kind}: {e}"),
    }
}

fn lookups(c: &mut Criterion) {
    let w = workload();
    let sample = sample();
    let keys = skewed_keys(2, LOOKUPS);
    let mut batch = Batch::new(1);
    batch.ops = vec![0; LOOKUPS];
    batch.cols[0] = keys.clone();

    let kinds = [
        "hash",
        "range",
        "ring",
        "jump",
        "rendezvous",
        "salted",
        "directory",
    ];
    for kind in kinds {
        let mut group = c.benchmark_group(format!("place_batch/{kind}"));
        group.throughput(Throughput::Elements(LOOKUPS as u64));
        if kind == "rendezvous" {
            group.sample_size(10);
        }
        for n in SIZES {
            let s = build(kind, n, &w, &sample);
            let mut out = Vec::with_capacity(LOOKUPS);
            group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
                b.iter(|| {
                    out.clear();
                    s.place_batch(black_box(&batch), &mut out);
                    black_box(&out);
                })
            });
        }
        group.finish();
    }

    // Salted writes and reads: the extra work of hot keys.
    let mut group = c.benchmark_group("salted_write_read");
    group.throughput(Throughput::Elements(LOOKUPS as u64));
    for n in SIZES {
        let s = build("salted", n, &w, &sample);
        let mut homes = Vec::with_capacity(LOOKUPS);
        s.place_batch(&batch, &mut homes);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let mut sum = 0u64;
                for (i, &home) in homes.iter().enumerate() {
                    let rec = batch.rec(i);
                    sum += s.write(rec, home, i as u64) as u64;
                    sum += s.read(rec, home).count(n) as u64;
                }
                black_box(sum)
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("crate/jumpch");
    group.throughput(Throughput::Elements(LOOKUPS as u64));
    for n in SIZES {
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                let sum: u64 = keys
                    .iter()
                    .map(|&k| jumpch::hash(mix64(black_box(k)), n) as u64)
                    .sum();
                black_box(sum)
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("crate/hashring");
    group.throughput(Throughput::Elements(LOOKUPS as u64));
    for n in SIZES {
        let mut ring = hashring::HashRing::new();
        ring.batch_add(
            (0..n)
                .flat_map(|p| (0..VNODES).map(move |v| (p, v)))
                .collect(),
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let sum: u64 = keys
                    .iter()
                    .map(|k| ring.get(black_box(k)).map_or(0, |&(p, _)| p as u64))
                    .sum();
                black_box(sum)
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("crate/maglev-hash");
    group.throughput(Throughput::Elements(LOOKUPS as u64));
    for n in SIZES {
        let table = maglev_hash::MaglevTable::new((0..n).collect());
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let sum: u64 = keys
                    .iter()
                    .map(|k| table.get(black_box(k)).map_or(0, |&p| p as u64))
                    .sum();
                black_box(sum)
            })
        });
    }
    group.finish();
}

// Without plots: they need system fonts, and the numbers are what matter.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = lookups
}
criterion_main!(benches);
