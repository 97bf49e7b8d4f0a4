//! Partitioning strategies, behind one trait, and their registry.
//!
//! A strategy maps a record's partition key to one of N partitions, and
//! says which partitions each kind of query must touch. Each strategy lives
//! in its own file and is built from a [`StrategySpec`] by a [`Builder`];
//! adding a strategy means one file plus one line in [`REGISTRY`].

pub mod directory;
pub mod hash;
pub mod jump;
pub mod range;
pub mod rendezvous;
pub mod ring;
pub mod salted;
pub mod systems;

use std::fmt;

use crate::batch::{Batch, Rec};
use crate::error::SpecError;
use crate::rng::{mix_combine, mix64};
use crate::workload::{StrategySpec, Workload};

/// The partitions a query touches.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Touch {
    /// Exactly one partition.
    One(u32),
    /// The partitions `first..=last`, in order.
    Span(u32, u32),
    /// These distinct partitions.
    Set(Vec<u32>),
    /// Every partition (a scatter-gather over the whole cluster).
    #[default]
    All,
}

impl Touch {
    /// Number of partitions touched, out of `n`.
    pub fn count(&self, n: u32) -> u32 {
        match self {
            Touch::One(_) => 1,
            Touch::Span(a, b) => b - a + 1,
            Touch::Set(v) => v.len() as u32,
            Touch::All => n,
        }
    }
}

/// The hash value a strategy computes for a key, in the system's own type,
/// as `shardbench route --hash` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashValue {
    /// An unsigned 64-bit value (the generic strategies).
    U64(u64),
    /// A signed 64-bit value (Cassandra tokens, MongoDB hashes).
    I64(i64),
    /// A signed 32-bit value (Kafka, Elasticsearch).
    I32(i32),
    /// An unsigned 32-bit value (ketama points, Redis slots).
    U32(u32),
}

impl fmt::Display for HashValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HashValue::U64(v) => write!(f, "{v}"),
            HashValue::I64(v) => write!(f, "{v}"),
            HashValue::I32(v) => write!(f, "{v}"),
            HashValue::U32(v) => write!(f, "{v}"),
        }
    }
}

/// A partitioning strategy over a fixed number of partitions.
///
/// `place` is the hot path. Strategies whose writes or reads differ from the
/// key's home partition (salting) return true from [`Strategy::spreads`];
/// for the others the engine never calls `write` or `read`.
pub trait Strategy: Send + Sync {
    /// Number of partitions.
    fn partitions(&self) -> u32;

    /// The home partition of the record's key: where its data lives.
    fn place(&self, rec: Rec<'_>) -> u32;

    /// Home partitions of every event of a batch, appended to `out`.
    /// Override for speed; the result must equal calling `place` on each.
    fn place_batch(&self, batch: &Batch, out: &mut Vec<u32>) {
        out.extend((0..batch.len()).map(|i| self.place(batch.rec(i))));
    }

    /// The strategy's hash of the record's key, as `route --hash` prints it.
    fn hash(&self, rec: Rec<'_>) -> HashValue;

    /// True when writes or reads may go elsewhere than the home partition.
    fn spreads(&self) -> bool {
        false
    }

    /// The partition a write goes to; `salt` is 64 fresh random bits.
    fn write(&self, rec: Rec<'_>, home: u32, salt: u64) -> u32 {
        let _ = (rec, salt);
        home
    }

    /// The partitions a read by key touches.
    fn read(&self, rec: Rec<'_>, home: u32) -> Touch {
        let _ = rec;
        Touch::One(home)
    }

    /// The partitions a scan of `field` over `lo..hi` touches.
    fn scan(&self, field: usize, lo: u64, hi: u64) -> Touch {
        let _ = (field, lo, hi);
        Touch::All
    }

    /// The partition-key fields.
    fn key_fields(&self) -> &[usize];

    /// The partitions an aggregation over one group of `field` touches:
    /// when the key is exactly that field, the group lives where a read of
    /// it goes; otherwise every partition holds part of it.
    fn aggregate(&self, field: usize, rec: Rec<'_>, home: u32) -> Touch {
        if self.key_fields() == [field] {
            self.read(rec, home)
        } else {
            Touch::All
        }
    }

    /// A node name for partition `p`, where the strategy's nodes are named.
    fn node_name(&self, p: u32) -> Option<&str> {
        let _ = p;
        None
    }
}

/// What the stream looked like in its first events, for strategies that
/// adapt to it (range split points, hot keys, directory placement).
#[derive(Clone, Debug, Default)]
pub struct KeySample {
    /// Number of sampled events.
    pub events: u64,
    /// Distinct keys (as [`KeyFields::key`] computes them) with their counts,
    /// most frequent first, ties broken by key.
    pub counts: Vec<(u64, u64)>,
    /// The first key field's value of every sampled event, sorted.
    pub order: Vec<u64>,
}

impl KeySample {
    /// The sample of events whose keys are `keys`, in any order. `order`
    /// holds the events' first key field values; `None` means they are the
    /// keys themselves (a single-field key).
    pub fn new(mut keys: Vec<u64>, order: Option<Vec<u64>>) -> Self {
        use rayon::slice::ParallelSliceMut;

        keys.par_sort_unstable();
        let order = match order {
            Some(mut o) => {
                o.par_sort_unstable();
                o
            }
            None => keys.clone(),
        };
        let mut counts: Vec<(u64, u64)> = Vec::new();
        for &k in &keys {
            match counts.last_mut() {
                Some((last, c)) if *last == k => *c += 1,
                _ => counts.push((k, 1)),
            }
        }
        counts.par_sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Self {
            events: keys.len() as u64,
            counts,
            order,
        }
    }
}

/// Everything a builder may use.
pub struct BuildContext<'a> {
    /// The workload.
    pub workload: &'a Workload,
    /// This strategy's spec.
    pub spec: &'a StrategySpec,
    /// Number of partitions to build for.
    pub partitions: u32,
    /// The strategy's own number of partitions. It differs from
    /// `partitions` only when the engine rebuilds the strategy at N+1 or
    /// N−1 to measure movement: a strategy with named nodes then adds a
    /// node or removes its last one.
    pub base_partitions: u32,
    /// The sample of the stream for this strategy's key.
    pub sample: &'a KeySample,
    /// The domain `lo..hi` of the first key field over the run.
    pub domain: (u64, u64),
    /// The run seed.
    pub seed: u64,
}

/// Builds a strategy; errors name the spec's key and line.
pub type Builder = fn(&BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError>;

/// One registered strategy kind.
pub struct Kind {
    /// The name used in workload files and `--strategies`.
    pub name: &'static str,
    /// One line for `shardbench list`.
    pub summary: &'static str,
    /// Its builder.
    pub build: Builder,
}

/// Every strategy kind shardbench knows.
pub const REGISTRY: &[Kind] = &[
    Kind {
        name: "hash",
        summary: "stable 64-bit hash of the key, reduced onto N partitions",
        build: hash::build,
    },
    Kind {
        name: "range",
        summary: "contiguous ranges of the first key field, split at sample quantiles or evenly",
        build: range::build,
    },
    Kind {
        name: "ring",
        summary: "consistent hashing on a ring of virtual nodes per partition",
        build: ring::build,
    },
    Kind {
        name: "jump",
        summary: "Lamping-Veach jump consistent hash of the key hash",
        build: jump::build,
    },
    Kind {
        name: "rendezvous",
        summary: "highest random weight: the partition with the top hash of (key, partition)",
        build: rendezvous::build,
    },
    Kind {
        name: "salted",
        summary: "hash, with each hot key's writes spread over S salted sub-keys",
        build: salted::build,
    },
    Kind {
        name: "directory",
        summary: "lookup table placing the heaviest keys greedily, jump hash for the rest",
        build: directory::build,
    },
    Kind {
        name: "kafka",
        summary: "Kafka's default partitioner: murmur2 of the key bytes mod N",
        build: systems::kafka::build,
    },
    Kind {
        name: "redis",
        summary: "Redis Cluster: CRC16 hash slots (with hash tags) over N masters",
        build: systems::redis::build,
    },
    Kind {
        name: "cassandra",
        summary: "Cassandra Murmur3Partitioner tokens on a ring of random vnodes",
        build: systems::cassandra::build,
    },
    Kind {
        name: "elasticsearch",
        summary: "Elasticsearch routing: murmur3 of the routing value over routing shards",
        build: systems::elasticsearch::build,
    },
    Kind {
        name: "ketama",
        summary: "libketama consistent hashing (md5 continuum, weighted servers)",
        build: systems::ketama::build,
    },
    Kind {
        name: "mongodb",
        summary: "MongoDB hashed sharding: md5 BSON element hash over initial chunks",
        build: systems::mongodb::build,
    },
];

/// The registered kind called `name`.
pub fn kind(name: &str) -> Option<&'static Kind> {
    REGISTRY.iter().find(|k| k.name == name)
}

/// Builds a strategy from its spec.
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let spec = ctx.spec;
    match kind(&spec.kind) {
        Some(k) => (k.build)(ctx),
        None => {
            let names: Vec<&str> = REGISTRY.iter().map(|k| k.name).collect();
            let msg = format!("unknown strategy kind; known kinds: {}", names.join(", "));
            Err(spec.params.error("kind", msg))
        }
    }
}

/// The `place_batch` of strategies that place a key by its hash alone:
/// `by_hash(KeyFields::hash(rec))` for every event, with the single-field
/// case as a tight loop over the column.
#[inline]
pub fn place_by_hash(
    key: &KeyFields,
    batch: &Batch,
    out: &mut Vec<u32>,
    by_hash: impl Fn(u64) -> u32,
) {
    match key.fields() {
        // A plain loop: as an `extend`, LLVM vectorizes it with SSE2, which
        // has no 64-bit multiply and emulates it (measured 40% slower).
        [f] => {
            let col = &batch.cols[*f];
            out.reserve(col.len());
            for &k in col {
                out.push(by_hash(mix64(k)));
            }
        }
        _ => out.extend((0..batch.len()).map(|i| by_hash(key.hash(batch.rec(i))))),
    }
}

/// The partition key of a record as one `u64`.
///
/// A single-field key is the field's value itself, so range partitioning
/// sees key order. A composite key folds its fields with [`mix_combine`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyFields {
    fields: Vec<usize>,
}

impl KeyFields {
    /// The key made of these fields (at least one).
    pub fn new(fields: &[usize]) -> Self {
        assert!(!fields.is_empty(), "a partition key has at least one field");
        Self {
            fields: fields.to_vec(),
        }
    }

    /// The fields.
    pub fn fields(&self) -> &[usize] {
        &self.fields
    }

    /// The key of `rec`.
    #[inline]
    pub fn key(&self, rec: Rec<'_>) -> u64 {
        match self.fields.as_slice() {
            [f] => rec.field(*f),
            fields => fields.iter().fold(0, |h, &f| mix_combine(h, rec.field(f))),
        }
    }

    /// The stable 64-bit hash of the key of `rec`, used by the hash-based
    /// generic strategies.
    #[inline]
    pub fn hash(&self, rec: Rec<'_>) -> u64 {
        mix64(self.key(rec))
    }
}
