//! The engine: drives the event stream through every strategy.
//!
//! A run has three passes:
//! 1. **Sample.** The first chunks of the stream (at most
//!    [`SAMPLE_EVENTS`] events) are generated exactly as the main pass will
//!    generate them. Strategies that adapt to the data (range split points,
//!    hot keys, the directory) are built from this sample.
//! 2. **Key space.** Each strategy routes its key space (every key, or a
//!    uniform sample of [`KEYSPACE_SAMPLE`] keys when it is larger), at N,
//!    N+1 and N−1 partitions: storage per partition and key movement.
//! 3. **Stream.** rayon spreads fixed-size chunks over the threads; each
//!    chunk is generated from (seed, chunk index) and routed through every
//!    strategy into per-thread integer accumulators, merged at the end.
//!    Integer sums do not depend on the order of merging, so the results
//!    are byte-identical at any thread count. Memory is a few batches per
//!    thread, whatever the number of events.

pub mod fanout;
pub mod keyspace;
pub mod source;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::batch::{Batch, hash_bytes};
use crate::error::{Error, Result};
use crate::latency::{self, LatencyInput};
use crate::metrics::Balance;
use crate::report::{Amplification, Movement, QueryFanout, RunReport, StrategyReport};
use crate::rng::{Rng, Stream};
use crate::strategy::{self, BuildContext, KeySample, Strategy, Touch};
use crate::workload::{FanoutMode, OpKind, Workload};
use fanout::{Followers, Spreader};
use keyspace::KeySpace;
use source::{CHUNK, EventSource, TraceField};

/// The most events of the stream's start used to build strategies.
pub const SAMPLE_EVENTS: u64 = 1 << 20;

/// The most keys routed to measure storage and movement.
pub const KEYSPACE_SAMPLE: u64 = 1 << 20;

/// Queries per class kept to model scatter-gather latency.
const TOUCH_SAMPLE: usize = 2048;

/// How to run a workload; flags override the workload's defaults.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Events in the stream.
    pub events: u64,
    /// Partitions.
    pub partitions: u32,
    /// Seed.
    pub seed: u64,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// Multiplier of the workload's offered traffic for the latency model.
    pub traffic: f64,
    /// Run the latency model.
    pub latency: bool,
    /// Show a progress bar on a terminal.
    pub progress: bool,
    /// Print the time each phase took on stderr.
    pub verbose: bool,
}

/// One strategy, ready to route.
struct Prepared {
    strategy: Box<dyn Strategy>,
    /// Seeds this strategy's routing draws (salts, followers).
    stream_key: u64,
    spreader: Option<Spreader>,
    report: StrategyReport,
    touches: Vec<Vec<Touch>>,
    /// Per op: whether its events touch exactly their key's home partition,
    /// so that routing only has to count them.
    home_only: Vec<bool>,
}

/// Per-thread counters of one strategy.
#[derive(Clone)]
struct Acc {
    /// `load[class * n + p]`: operations of a class on partition p.
    load: Vec<u64>,
    /// Queries of a class that touched every partition.
    broadcast: Vec<u64>,
    /// Per query class: queries, partitions touched, most touched.
    queries: Vec<u64>,
    touched: Vec<u64>,
    touched_max: Vec<u32>,
    /// Queries of a class that touched only their home partition, counted
    /// on the fast path.
    home_only: Vec<u64>,
    nanos: u64,
}

impl Acc {
    fn new(classes: usize, n: usize) -> Self {
        Self {
            load: vec![0; classes * n],
            broadcast: vec![0; classes],
            queries: vec![0; classes + 1],
            touched: vec![0; classes + 1],
            touched_max: vec![0; classes + 1],
            home_only: vec![0; classes],
            nanos: 0,
        }
    }

    fn merge(&mut self, other: &Acc) {
        add(&mut self.load, &other.load);
        add(&mut self.broadcast, &other.broadcast);
        add(&mut self.queries, &other.queries);
        add(&mut self.touched, &other.touched);
        add(&mut self.home_only, &other.home_only);
        for (a, b) in self.touched_max.iter_mut().zip(&other.touched_max) {
            *a = (*a).max(*b);
        }
        self.nanos += other.nanos;
    }

    #[inline]
    fn query(&mut self, class: usize, touched: u32) {
        self.queries[class] += 1;
        self.touched[class] += touched as u64;
        self.touched_max[class] = self.touched_max[class].max(touched);
    }
}

fn add(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Counters shared by all strategies.
#[derive(Clone, Default)]
struct Global {
    timeline_writes: u64,
    timeline_writes_hybrid: u64,
    posts: u64,
}

/// Runs `workload` and returns everything it measured.
pub fn run(workload: &Workload, opts: &RunOptions) -> Result<RunReport> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {} threads: {e}", opts.threads)))?;
    pool.install(|| run_in_pool(workload, opts))
}

fn run_in_pool(workload: &Workload, opts: &RunOptions) -> Result<RunReport> {
    let started = Instant::now();
    let n = opts.partitions;
    let mut source = EventSource::new(workload, opts.events, opts.seed)?;

    // A trace may hold fewer events than asked for.
    let opts = &RunOptions {
        events: source.events,
        ..opts.clone()
    };

    // Pass 1: the sample the adaptive strategies are built from.
    let sample_chunks = SAMPLE_EVENTS.min(opts.events).div_ceil(CHUNK);
    let sample: Vec<Batch> = match &source.trace {
        None => (0..sample_chunks)
            .into_par_iter()
            .map(|c| {
                let mut b = Batch::new(workload.fields.len());
                source.fill(c, &mut b, None);
                b
            })
            .collect(),
        Some(t) => {
            let mut reader = t.open()?;
            let mut out = Vec::new();
            for c in 0..sample_chunks {
                let chunk = TraceField::read(&mut reader, source.chunk_len(c))?;
                let mut b = Batch::new(workload.fields.len());
                source.fill(c, &mut b, Some(chunk));
                out.push(b);
            }
            out
        }
    };
    if let Some(t) = &source.trace {
        let values = sample.iter().flat_map(|b| b.cols[t.field].iter().copied());
        let (lo, hi) = values.fold((u64::MAX, 0), |(lo, hi), v| (lo.min(v), hi.max(v)));
        source.trace_domain = (lo, hi.saturating_add(1));
    }
    let source = &source;

    let phase = |name: &str, since: Instant| {
        if opts.verbose {
            eprintln!("shardbench: {name}: {:.3} s", since.elapsed().as_secs_f64());
        }
    };
    phase("sample", started);
    let followers = workload
        .fanout
        .as_ref()
        .map(|f| Followers::new(f, source.domain(f.field)));

    // Pass 2: build each strategy and measure its key space. Strategies
    // sharing a partition key share its sample and key space.
    let t = Instant::now();
    let mut keys: Vec<Vec<usize>> = workload.strategies.iter().map(|s| s.key.clone()).collect();
    keys.sort();
    keys.dedup();
    let samples: Vec<(Vec<usize>, KeySample, KeySpace)> = keys
        .into_par_iter()
        .map(|k| {
            let ks = key_sample(&sample, &k);
            let space = match &source.trace {
                Some(t) if k.contains(&t.field) => KeySpace::from_sample(&sample, &k),
                _ => KeySpace::new(source, &k, workload.fields.len(), opts.seed),
            };
            (k, ks, space)
        })
        .collect();
    phase("key samples", t);

    let t = Instant::now();
    let prepared: Vec<Prepared> = workload
        .strategies
        .par_iter()
        .map(|spec| {
            let (_, key_sample, space) = samples
                .iter()
                .find(|(k, _, _)| *k == spec.key)
                .expect("every strategy's key was sampled");
            prepare(
                workload,
                opts,
                spec,
                &sample,
                key_sample,
                space,
                source,
                followers.as_ref(),
            )
        })
        .collect::<Result<_>>()?;
    phase("strategies", t);
    drop(sample);

    // Pass 3: the stream.
    let classes = workload.ops.len() + usize::from(followers.is_some());
    let progress = progress_bar(opts, source.chunks());
    let shown = AtomicBool::new(false);
    let route_start = Instant::now();
    let stream = StreamPass {
        workload,
        opts,
        source,
        prepared: &prepared,
        followers: followers.as_ref(),
        classes,
        progress: &progress,
        shown: &shown,
        start: route_start,
    };
    let (accs, global) = match &source.trace {
        None => stream.run((0..source.chunks()).into_par_iter().map(|c| (c, None))),
        Some(t) => {
            let reader = std::sync::Mutex::new(t.open()?);
            let failed: std::sync::Mutex<Option<Error>> = std::sync::Mutex::new(None);
            let chunks = (0..source.chunks()).map_while(|c| {
                let mut r = reader.lock().unwrap_or_else(|e| e.into_inner());
                match TraceField::read(&mut r, source.chunk_len(c)) {
                    Ok(chunk) => Some((c, Some(chunk))),
                    Err(e) => {
                        *failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        None
                    }
                }
            });
            let out = stream.run(chunks.par_bridge());
            if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
                return Err(e);
            }
            out
        }
    };
    progress.finish_and_clear();
    phase("stream", route_start);

    let mut strategies = Vec::new();
    for (p, mut acc) in prepared.into_iter().zip(accs) {
        let t = Instant::now();
        strategies.push(finish(
            workload,
            opts,
            p,
            &mut acc,
            &global,
            followers.as_ref(),
        ));
        phase("latency", t);
    }
    let mut ops: Vec<String> = workload.ops.iter().map(|o| o.name.clone()).collect();
    if followers.is_some() {
        ops.push(FANOUT_CLASS.to_string());
    }
    Ok(RunReport {
        workload: workload.name.clone(),
        description: workload.description.clone(),
        events: opts.events,
        partitions: n,
        seed: opts.seed,
        threads: opts.threads,
        traffic: opts.traffic,
        ops,
        strategies,
        elapsed_sec: started.elapsed().as_secs_f64(),
    })
}

/// Builds one strategy at N, N+1 and N−1 and measures its storage,
/// movement and query touches.
#[allow(clippy::too_many_arguments)]
fn prepare(
    workload: &Workload,
    opts: &RunOptions,
    spec: &crate::workload::StrategySpec,
    sample: &[Batch],
    key_sample: &KeySample,
    space: &KeySpace,
    source: &EventSource,
    followers: Option<&Followers>,
) -> Result<Prepared> {
    let n = spec.partitions.unwrap_or(opts.partitions);
    let domain = source.domain(spec.key[0]);
    let build = |partitions: u32| {
        strategy::build(&BuildContext {
            workload,
            spec,
            partitions,
            base_partitions: n,
            sample: key_sample,
            domain,
            seed: opts.seed,
        })
    };
    let strategy = build(n)?;
    let grown = build(n + 1)?;
    let shrunk = if n > 1 { Some(build(n - 1)?) } else { None };

    let keys = space.storage(strategy.as_ref());
    let (keys_add, keys_remove) = space.moved(strategy.as_ref(), grown.as_ref(), shrunk.as_deref());
    let (traffic_add, traffic_remove) =
        moved_traffic(sample, strategy.as_ref(), grown.as_ref(), shrunk.as_deref());

    let spreader =
        followers.map(|f| Spreader::new(strategy.as_ref(), f, &keys, workload.fields.len()));
    let hottest_key_share = key_sample
        .counts
        .first()
        .map(|&(_, c)| c as f64 / key_sample.events.max(1) as f64)
        .unwrap_or(0.0);
    let touches = touch_sample(workload, sample, strategy.as_ref());

    let report = StrategyReport {
        name: spec.name.clone(),
        label: spec.label(),
        kind: spec.kind.clone(),
        partitions: n,
        events: opts.events,
        key_balance: Balance::of(&keys),
        keys,
        hottest_key_share,
        movement: Movement {
            keys_add,
            traffic_add,
            keys_remove,
            traffic_remove,
            ideal_add: 1.0 / (n as f64 + 1.0),
            ideal_remove: if n > 1 { 1.0 / n as f64 } else { 0.0 },
        },
        ..StrategyReport::default()
    };
    // Ops that touch exactly the key's home partition take a fast path that
    // only counts; their query totals are added in `finish`.
    let home_only = workload
        .ops
        .iter()
        .enumerate()
        .map(|(op, o)| {
            let fanned = followers.is_some_and(|f| op == f.spec.read_op || op == f.spec.post_op);
            let plain = matches!(o.kind, OpKind::Write | OpKind::Read { by: None });
            plain && !strategy.spreads() && !fanned
        })
        .collect();
    Ok(Prepared {
        strategy,
        stream_key: hash_bytes(spec.name.as_bytes()),
        spreader,
        report,
        touches,
        home_only,
    })
}

/// The name of the query class of timeline writes made by fan-out.
pub const FANOUT_CLASS: &str = "timeline_write";

/// The stream pass: everything routing a chunk needs.
struct StreamPass<'a> {
    workload: &'a Workload,
    opts: &'a RunOptions,
    source: &'a EventSource,
    prepared: &'a [Prepared],
    followers: Option<&'a Followers>,
    classes: usize,
    progress: &'a ProgressBar,
    shown: &'a AtomicBool,
    start: Instant,
}

impl StreamPass<'_> {
    fn empty(&self) -> (Vec<Acc>, Global) {
        let accs = self
            .prepared
            .iter()
            .map(|p| Acc::new(self.classes, p.report.partitions as usize))
            .collect();
        (accs, Global::default())
    }

    /// Routes every chunk through every strategy into per-thread counters
    /// and merges them.
    fn run(
        &self,
        chunks: impl ParallelIterator<Item = (u64, Option<source::TraceChunk>)>,
    ) -> (Vec<Acc>, Global) {
        let fields = self.workload.fields.len();
        chunks
            .fold(
                || {
                    let (accs, global) = self.empty();
                    let homes = Vec::with_capacity(CHUNK as usize);
                    (accs, global, Batch::new(fields), Scratch::default(), homes)
                },
                |(mut accs, mut global, mut batch, mut scratch, mut homes), (chunk, trace)| {
                    self.source.fill(chunk, &mut batch, trace);
                    let ctx = ChunkCtx {
                        workload: self.workload,
                        followers: self.followers,
                        seed: self.opts.seed,
                        chunk,
                    };
                    ctx.shared(&batch, &mut scratch, &mut global);
                    for (p, acc) in self.prepared.iter().zip(accs.iter_mut()) {
                        let t = Instant::now();
                        ctx.route(p, &batch, &scratch, &mut homes, acc);
                        acc.nanos += t.elapsed().as_nanos() as u64;
                    }
                    tick(self.progress, self.opts.progress, self.shown, self.start);
                    (accs, global, batch, scratch, homes)
                },
            )
            .map(|(accs, global, ..)| (accs, global))
            .reduce(
                || self.empty(),
                |(mut a, mut ga), (b, gb)| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        x.merge(y);
                    }
                    ga.timeline_writes += gb.timeline_writes;
                    ga.timeline_writes_hybrid += gb.timeline_writes_hybrid;
                    ga.posts += gb.posts;
                    (a, ga)
                },
            )
    }
}

/// Per-chunk draws shared by all strategies.
#[derive(Default)]
struct Scratch {
    /// For each event, the end of its followed-celebrity list in `followed`
    /// (timeline reads only; empty otherwise).
    followed_end: Vec<u32>,
    followed: Vec<u16>,
}

/// What routing one chunk needs.
struct ChunkCtx<'a> {
    workload: &'a Workload,
    followers: Option<&'a Followers>,
    seed: u64,
    chunk: u64,
}

impl ChunkCtx<'_> {
    /// Draws that do not depend on the strategy: which celebrities each
    /// timeline reader follows, and the fan-out write counts.
    fn shared(&self, batch: &Batch, scratch: &mut Scratch, global: &mut Global) {
        scratch.followed.clear();
        scratch.followed_end.clear();
        let Some(f) = self.followers else { return };
        let mut rng = Rng::for_chunk(self.seed, Stream::Routing, self.chunk);
        for i in 0..batch.len() {
            let op = batch.ops[i] as usize;
            if op == f.spec.read_op {
                f.followed(&mut rng, &mut scratch.followed);
            } else if op == f.spec.post_op {
                let author = batch.cols[f.spec.field][i];
                let count = f.of(author);
                global.posts += 1;
                global.timeline_writes += count;
                if !f.is_celebrity(author) {
                    global.timeline_writes_hybrid += count;
                }
            }
            scratch.followed_end.push(scratch.followed.len() as u32);
        }
    }

    /// Routes one chunk through one strategy; `homes` is a reused buffer.
    fn route(
        &self,
        p: &Prepared,
        batch: &Batch,
        scratch: &Scratch,
        homes: &mut Vec<u32>,
        acc: &mut Acc,
    ) {
        let s = p.strategy.as_ref();
        let partitions = p.report.partitions;
        let n = partitions as usize;
        homes.clear();
        s.place_batch(batch, homes);
        let mut rng = Rng::for_chunk(self.seed ^ p.stream_key, Stream::Routing, self.chunk);
        let spreads = s.spreads();
        let ops = &self.workload.ops;
        let fan = self.followers;
        let fanout_class = ops.len();

        // One op that only counts (the common benchmark case): a plain
        // histogram of the homes, without per-event branches.
        if let [true] = p.home_only[..] {
            count_homes(&mut acc.load[..n], homes);
            acc.home_only[0] += homes.len() as u64;
            return;
        }
        for (i, &home) in homes.iter().enumerate() {
            let op = batch.ops[i] as usize;
            if p.home_only[op] {
                acc.load[op * n + home as usize] += 1;
                acc.home_only[op] += 1;
                continue;
            }
            let rec = batch.rec(i);
            let kind = &ops[op].kind;
            let salt = (spreads && *kind == OpKind::Write).then(|| rng.next_u64());
            let touch = query_touch(s, kind, rec, home, salt);

            if let Some(f) = fan {
                if op == f.spec.read_op {
                    let start = if i == 0 {
                        0
                    } else {
                        scratch.followed_end[i - 1] as usize
                    };
                    let followed = &scratch.followed[start..scratch.followed_end[i] as usize];
                    let sp = p.spreader.as_ref().expect("spreader exists with followers");
                    let hybrid = hybrid_touch(&touch, followed, sp);
                    acc.query(fanout_class + 1, hybrid.count(partitions));
                    if f.spec.mode == FanoutMode::Hybrid {
                        acc.query(op, hybrid.count(partitions));
                        count_touch(acc, op, n, &hybrid);
                        continue;
                    }
                } else if op == f.spec.post_op {
                    let author = rec.field(f.spec.field);
                    let fanned = f.spec.mode == FanoutMode::Write || !f.is_celebrity(author);
                    if fanned {
                        let sp = p.spreader.as_ref().expect("spreader exists with followers");
                        let row = fanout_class * n;
                        sp.spread(f.of(author), &mut rng, &mut acc.load[row..row + n]);
                    }
                }
            }

            acc.query(op, touch.count(partitions));
            count_touch(acc, op, n, &touch);
        }
    }
}

/// Adds one to `row[home]` for every home.
#[inline(never)]
fn count_homes(row: &mut [u64], homes: &[u32]) {
    for &home in homes {
        row[home as usize] += 1;
    }
}

/// The partitions a hybrid timeline read touches: the reader's own, plus
/// those holding the posts of every followed celebrity.
fn hybrid_touch(base: &Touch, followed: &[u16], sp: &Spreader) -> Touch {
    let reads = followed.iter().map(|&c| &sp.celebrity_reads[c as usize]);
    if let Touch::One(p) = base
        && reads.clone().all(|t| *t == Touch::One(*p))
    {
        return base.clone();
    }
    let mut set = Vec::new();
    for t in std::iter::once(base).chain(reads) {
        match t {
            Touch::One(p) => set.push(*p),
            Touch::Span(a, b) => set.extend(*a..=*b),
            Touch::Set(v) => set.extend_from_slice(v),
            Touch::All => return Touch::All,
        }
    }
    set.sort_unstable();
    set.dedup();
    if set.len() == 1 {
        Touch::One(set[0])
    } else {
        Touch::Set(set)
    }
}

#[inline]
fn count_touch(acc: &mut Acc, class: usize, n: usize, touch: &Touch) {
    let row = class * n;
    match touch {
        Touch::One(p) => acc.load[row + *p as usize] += 1,
        Touch::Span(a, b) => {
            for p in *a..=*b {
                acc.load[row + p as usize] += 1;
            }
        }
        Touch::Set(v) => {
            for &p in v {
                acc.load[row + p as usize] += 1;
            }
        }
        Touch::All => acc.broadcast[class] += 1,
    }
}

/// Counts, for each key in the sample, how often it occurs (by sorting,
/// which is deterministic and faster than hashing a million keys); and
/// collects the first key field's values, sorted.
fn key_sample(sample: &[Batch], key: &[usize]) -> KeySample {
    let fields = &strategy::KeyFields::new(key);
    let keys: Vec<u64> = sample
        .iter()
        .flat_map(|b| (0..b.len()).map(move |i| fields.key(b.rec(i))))
        .collect();
    let order = (key.len() > 1).then(|| {
        let first = key[0];
        sample
            .iter()
            .flat_map(|b| b.cols[first].iter().copied())
            .collect()
    });
    KeySample::new(keys, order)
}

/// The fraction of sampled events whose home partition changes when the
/// strategy is rebuilt with N+1 and with N−1 partitions.
fn moved_traffic(
    sample: &[Batch],
    base: &dyn Strategy,
    grown: &dyn Strategy,
    shrunk: Option<&dyn Strategy>,
) -> (f64, f64) {
    let (add, remove, total) = keyspace::moved_in(sample, base, grown, shrunk);
    let t = total.max(1) as f64;
    (add as f64 / t, remove as f64 / t)
}

/// The partitions one event of `kind` touches, given its key's `home`. A
/// write goes home unless the strategy spreads writes and a `salt` is
/// given; reads and aggregations ask the strategy.
fn query_touch(
    s: &dyn Strategy,
    kind: &OpKind,
    rec: crate::batch::Rec<'_>,
    home: u32,
    salt: Option<u64>,
) -> Touch {
    match kind {
        OpKind::Write => Touch::One(salt.map_or(home, |x| s.write(rec, home, x))),
        OpKind::Read { by: None } => s.read(rec, home),
        OpKind::Read { by: Some(f) } => s.aggregate(*f, rec, home),
        OpKind::Aggregate { group_by } => s.aggregate(*group_by, rec, home),
        OpKind::Scan { field, width } => {
            let lo = rec.field(*field);
            s.scan(*field, lo, lo.saturating_add(*width))
        }
    }
}

/// A sample of the partitions each query class touches, for the latency
/// model's scatter-gather.
fn touch_sample(workload: &Workload, sample: &[Batch], s: &dyn Strategy) -> Vec<Vec<Touch>> {
    let mut out: Vec<Vec<Touch>> = vec![Vec::new(); workload.ops.len()];
    let mut homes = Vec::new();
    'outer: for batch in sample {
        homes.clear();
        s.place_batch(batch, &mut homes);
        for (i, &home) in homes.iter().enumerate() {
            let op = batch.ops[i] as usize;
            if out[op].len() >= TOUCH_SAMPLE {
                if out.iter().all(|v| v.len() >= TOUCH_SAMPLE) {
                    break 'outer;
                }
                continue;
            }
            let touch = query_touch(s, &workload.ops[op].kind, batch.rec(i), home, None);
            out[op].push(touch);
        }
    }
    out
}

/// Turns one strategy's counters into its report.
fn finish(
    workload: &Workload,
    opts: &RunOptions,
    p: Prepared,
    acc: &mut Acc,
    global: &Global,
    followers: Option<&Followers>,
) -> StrategyReport {
    let n = p.report.partitions as usize;
    let classes = acc.broadcast.len();
    for c in 0..classes {
        let h = acc.home_only[c];
        if h > 0 {
            acc.queries[c] += h;
            acc.touched[c] += h;
            acc.touched_max[c] = acc.touched_max[c].max(1);
        }
    }
    let mut per_class: Vec<Vec<u64>> = (0..classes)
        .map(|c| acc.load[c * n..(c + 1) * n].to_vec())
        .collect();
    for (c, row) in per_class.iter_mut().enumerate() {
        for x in row.iter_mut() {
            *x += acc.broadcast[c];
        }
    }
    let load: Vec<u64> = (0..n)
        .map(|i| per_class.iter().map(|r| r[i]).sum())
        .collect();

    let mut fanout = Vec::new();
    for (c, op) in workload.ops.iter().enumerate() {
        fanout.push(QueryFanout {
            query: op.name.clone(),
            mean_partitions: acc.touched[c] as f64 / acc.queries[c].max(1) as f64,
            max_partitions: acc.touched_max[c],
        });
    }
    let mut report = p.report;
    let ops = workload.ops.len();
    let queries: u64 = acc.queries[..ops].iter().sum();
    report.mean_fanout = acc.touched[..ops].iter().sum::<u64>() as f64 / queries.max(1) as f64;
    if let Some(f) = followers {
        let hybrid = classes;
        let name = &workload.ops[f.spec.read_op].name;
        fanout.push(QueryFanout {
            query: format!("{name}+hybrid"),
            mean_partitions: acc.touched[hybrid] as f64 / acc.queries[hybrid].max(1) as f64,
            max_partitions: acc.touched_max[hybrid],
        });
        let posts = global.posts.max(1) as f64;
        report.amplification = Some(Amplification {
            on_write: 1.0 + global.timeline_writes as f64 / posts,
            hybrid: 1.0 + global.timeline_writes_hybrid as f64 / posts,
            timeline_writes: global.timeline_writes,
            timeline_writes_hybrid: global.timeline_writes_hybrid,
        });
    }

    // Routing speed: events over this strategy's routing time summed over
    // the threads (one thread's rate), times the threads that share it.
    let busy = acc.nanos as f64 * 1e-9;
    report.events_per_sec = if busy > 0.0 {
        opts.events as f64 / busy * opts.threads.min(rayon::current_num_threads()) as f64
    } else {
        0.0
    };

    // Writes alone: scans and scatter-gather reads spread evenly over every
    // partition and can hide a write hot spot in the total.
    let writes: Vec<u64> = (0..n)
        .map(|i| {
            let mut w: u64 = (0..workload.ops.len())
                .filter(|&c| workload.ops[c].kind == OpKind::Write)
                .map(|c| per_class[c][i])
                .sum();
            if followers.is_some() {
                w += per_class[workload.ops.len()][i];
            }
            w
        })
        .collect();
    report.write_balance = Balance::of(&writes);
    report.balance = Balance::of(&load);
    report.load = load;
    report.fanout = fanout;

    if opts.latency {
        let mut costs: Vec<f64> = workload.ops.iter().map(|o| o.cost).collect();
        let mut touches = p.touches;
        if followers.is_some() {
            costs.push(1.0);
            touches.push(Vec::new());
        }
        let input = LatencyInput {
            spec: &workload.latency,
            traffic: opts.traffic,
            op_costs: &costs,
            load: &per_class,
            events: opts.events,
            touches: &touches,
            partitions: n as u32,
            seed: opts.seed ^ p.stream_key,
        };
        report.latency = Some(latency::simulate(&input));
    }
    report
}

fn progress_bar(opts: &RunOptions, chunks: u64) -> ProgressBar {
    if !opts.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(chunks), ProgressDrawTarget::hidden());
    let style = ProgressStyle::with_template("{spinner} routing [{bar:40}] {percent}% eta {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// Counts one chunk; shows the bar once the run has taken a second.
fn tick(bar: &ProgressBar, enabled: bool, shown: &AtomicBool, start: Instant) {
    if !enabled {
        return;
    }
    bar.inc(1);
    if shown.load(Ordering::Relaxed) || start.elapsed() < Duration::from_secs(1) {
        return;
    }
    if shown
        .compare_exchange(false, true, Ordering::Relaxed, Ordering::Relaxed)
        .is_ok()
    {
        bar.set_draw_target(ProgressDrawTarget::stderr());
    }
}
