//! Events per second from key generation to counted partition, at three
//! depths, for uniform keys and for Zipf(1e7, 0.99) keys routed by `hash`
//! over 64 partitions:
//!
//! - `floor`: the least work that still generates, hashes, places and
//!   counts a key. A SplitMix64 key, one `mix64`, multiply-shift onto 64
//!   partitions, one increment. Nothing shardbench does per event can cost
//!   less.
//! - `library`: the same loop through the library's own pieces. A uniform
//!   draw (`Rng::below`) or `Zipf::sample`, then `mix64` and
//!   `hash::partition_of`, then one increment.
//! - `engine`: `engine::run` on a one-field, one-op, hash-only workload
//!   with the latency model off: sample, key space and stream passes, so
//!   setup is included and the figure is lower than the stream alone.
//!
//! Each runs on one thread and on two: rayon over chunks of the engine's
//! size, each seeded from its index, with a count array per thread. Run
//! with `cargo bench --bench pipeline`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use shardbench::engine::{self, RunOptions, source::CHUNK};
use shardbench::generator::Zipf;
use shardbench::rng::{FastMod, Rng, SplitMix64, Stream, mix64, reduce};
use shardbench::strategy::hash::partition_of;
use shardbench::workload::{Workload, parse::parse};

/// Partitions every key is placed on.
const PARTITIONS: u32 = 64;

/// Events per measured iteration of the floor and library loops: 256
/// chunks, enough that a thread pool's start and merge are noise.
const LOOP_EVENTS: u64 = 256 * CHUNK;

/// Events of each whole-engine run.
const ENGINE_EVENTS: u64 = 4_000_000;

/// Keys of the uniform workload, as in the `uniform` preset.
const UNIFORM_KEYS: u64 = 100_000_000;

/// Keys and exponent of the Zipf workload.
const ZIPF_KEYS: u64 = 10_000_000;
const ZIPF_S: f64 = 0.99;

/// Thread counts measured.
const THREADS: [usize; 2] = [1, 2];

/// Per-partition event counts of one thread.
type Counts = [u64; PARTITIONS as usize];

/// Runs `chunk` over chunks `0..LOOP_EVENTS / CHUNK` on the pool, each
/// into its thread's own counts, and returns the merged counts.
fn over_chunks(pool: &rayon::ThreadPool, chunk: impl Fn(u64, &mut Counts) + Sync) -> Counts {
    pool.install(|| {
        (0..LOOP_EVENTS / CHUNK)
            .into_par_iter()
            .fold(
                || [0u64; PARTITIONS as usize],
                |mut counts, c| {
                    chunk(c, &mut counts);
                    counts
                },
            )
            .reduce(
                || [0u64; PARTITIONS as usize],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                    a
                },
            )
    })
}

/// The floor: a SplitMix64 key, one mix, multiply-shift, one increment.
fn floor_chunk(c: u64, counts: &mut Counts) {
    let mut keys = SplitMix64::new(mix64(c));
    for _ in 0..CHUNK {
        let h = mix64(keys.next_u64());
        counts[reduce(h, PARTITIONS as u64) as usize] += 1;
    }
}

/// Uniform keys in `0..UNIFORM_KEYS`, routed by `hash`.
fn uniform_chunk(c: u64, n: &FastMod, counts: &mut Counts) {
    let mut rng = Rng::for_chunk(1, Stream::Events, c);
    for _ in 0..CHUNK {
        let key = rng.below(UNIFORM_KEYS);
        counts[partition_of(mix64(key), n) as usize] += 1;
    }
}

/// Zipf keys, routed by `hash`.
fn zipf_chunk(c: u64, zipf: &Zipf, n: &FastMod, counts: &mut Counts) {
    let mut rng = Rng::for_chunk(1, Stream::Events, c);
    for _ in 0..CHUNK {
        let key = zipf.sample(&mut rng);
        counts[partition_of(mix64(key), n) as usize] += 1;
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a benchmark thread pool")
}

fn loops(c: &mut Criterion) {
    let n = FastMod::new(PARTITIONS);
    let zipf = Zipf::new(ZIPF_KEYS, ZIPF_S).expect("valid Zipf parameters");

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(LOOP_EVENTS));
    for threads in THREADS {
        let pool = pool(threads);
        group.bench_with_input(BenchmarkId::new("floor", threads), &threads, |b, _| {
            b.iter(|| black_box(over_chunks(&pool, floor_chunk)))
        });
        group.bench_with_input(
            BenchmarkId::new("library/uniform", threads),
            &threads,
            |b, _| b.iter(|| black_box(over_chunks(&pool, |c, k| uniform_chunk(c, &n, k)))),
        );
        group.bench_with_input(
            BenchmarkId::new("library/zipf", threads),
            &threads,
            |b, _| b.iter(|| black_box(over_chunks(&pool, |c, k| zipf_chunk(c, &zipf, &n, k)))),
        );
    }
    group.finish();
}

/// A one-field, one-op workload whose only strategy is `hash`.
fn hash_only(name: &str, field: &str) -> Workload {
    let text = format!(
        "name = \"{name}\"\n\
         description = \"{name} keys routed by hash\"\n\
         [run]\npartitions = {PARTITIONS}\nseed = 42\n\
         [fields]\nkey = {field}\n\
         [ops.put]\nkind = \"write\"\nweight = 1\n\
         [strategies.hash]\nkind = \"hash\"\nkey = \"key\"\n"
    );
    match parse(&text, "pipeline bench", name, "pipeline bench") {
        Ok(w) => w,
        Err(e) => panic!("{e}"),
    }
}

fn whole_engine(c: &mut Criterion) {
    let workloads = [
        (
            "uniform",
            hash_only(
                "uniform",
                &format!("{{ dist = \"uniform\", n = {UNIFORM_KEYS} }}"),
            ),
        ),
        (
            "zipf",
            hash_only(
                "zipf",
                &format!("{{ dist = \"zipf\", n = {ZIPF_KEYS}, s = {ZIPF_S} }}"),
            ),
        ),
    ];

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(ENGINE_EVENTS));
    for (name, workload) in &workloads {
        for threads in THREADS {
            let opts = RunOptions {
                events: ENGINE_EVENTS,
                partitions: PARTITIONS,
                seed: 42,
                threads,
                traffic: 1.0,
                latency: false,
                progress: false,
                verbose: false,
            };
            let id = BenchmarkId::new(format!("engine/{name}"), threads);
            group.bench_with_input(id, &threads, |b, _| {
                b.iter(|| match engine::run(workload, &opts) {
                    Ok(report) => black_box(report),
                    Err(e) => panic!("{e}"),
                })
            });
        }
    }
    group.finish();
}

// Ten samples of about three seconds each keep the whole bench near a
// minute; plots are off (they need system fonts).
criterion_group! {
    name = benches;
    config = Criterion::default()
        .without_plots()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = loops, whole_engine
}
criterion_main!(benches);
