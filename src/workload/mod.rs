//! Workloads: what a run generates and which strategies it compares.
//!
//! A workload is read from TOML (a file, or a preset embedded in the
//! binary), checked field by field, and resolved into the plain structs
//! below. Every later stage works from a [`Workload`] and never sees TOML.
//! Parsing and validation live in [`parse`]; the presets in [`presets`].

pub mod params;
pub mod parse;
pub mod presets;

pub use params::Params;

use crate::error::Origin;

/// How one field's values are drawn. Values are `u64`: ids, ranks,
/// timestamps, or the index of a categorical value.
#[derive(Clone, Debug, PartialEq)]
pub enum GenSpec {
    /// Uniform over `0..n`.
    Uniform {
        /// Key space size.
        n: u64,
    },
    /// Bounded Zipf over `0..n`: key k (rank k+1) has probability
    /// proportional to (k+1)^-s. With `scramble`, ranks are scattered over
    /// the key space by a stable bijection, so popularity does not follow
    /// key order.
    Zipf {
        /// Key space size.
        n: u64,
        /// Exponent, > 0.
        s: f64,
        /// Scatter ranks over the key space.
        scramble: bool,
    },
    /// A hot set of the first `ceil(hot_fraction * n)` keys receives
    /// `hot_share` of the draws, uniformly; the rest are uniform too.
    Hotspot {
        /// Key space size.
        n: u64,
        /// Fraction of the key space that is hot, in (0, 1).
        hot_fraction: f64,
        /// Fraction of draws that go to the hot set, in [0, 1].
        hot_share: f64,
    },
    /// Recency skew over a growing key space: at event i there are
    /// `initial + floor(i * growth)` keys; the newest has rank 1 and ranks
    /// follow Zipf(s).
    Latest {
        /// Keys that exist before the first event (≥ 1).
        initial: u64,
        /// New keys per event (≥ 0).
        growth: f64,
        /// Recency exponent, > 0.
        s: f64,
    },
    /// Monotonic ids or timestamps: event i has value
    /// `start + floor(i / per_unit)`.
    Sequence {
        /// First value.
        start: u64,
        /// Events per unit of the value (for example events per ms), > 0.
        per_unit: f64,
    },
    /// Named values with weights; the value is the index of the name.
    Categorical {
        /// The names.
        values: Vec<String>,
        /// Their weights (≥ 0, summing to > 0).
        weights: Vec<f64>,
    },
    /// `celebrities` keys (0..K) draw `share` of the traffic, equally; the
    /// other keys follow Zipf(s) by rank over `K..n`.
    Celebrity {
        /// Key space size.
        n: u64,
        /// Number of celebrity keys, K < n.
        celebrities: u64,
        /// Share of draws that go to celebrities, in [0, 1].
        share: f64,
        /// Exponent of the Zipf tail, > 0.
        s: f64,
    },
    /// Keys replayed in order from a file: one per line, or one CSV column.
    Trace {
        /// The file; `.gz` is decompressed.
        path: String,
        /// For CSV files, the column (by header name) holding the key.
        column: Option<String>,
    },
}

impl GenSpec {
    /// The name of the generator, as written in workload files.
    pub fn dist_name(&self) -> &'static str {
        match self {
            GenSpec::Uniform { .. } => "uniform",
            GenSpec::Zipf { .. } => "zipf",
            GenSpec::Hotspot { .. } => "hotspot",
            GenSpec::Latest { .. } => "latest",
            GenSpec::Sequence { .. } => "sequence",
            GenSpec::Categorical { .. } => "categorical",
            GenSpec::Celebrity { .. } => "celebrity",
            GenSpec::Trace { .. } => "trace",
        }
    }
}

/// One field of the record schema.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSpec {
    /// Field name.
    pub name: String,
    /// Its default generator.
    pub generator: GenSpec,
    /// Where it was defined.
    pub origin: Origin,
}

/// What an operation does, which decides how many partitions it touches.
#[derive(Clone, Debug, PartialEq)]
pub enum OpKind {
    /// A write by key: one partition (a salted hot key: one of its salts).
    Write,
    /// A read by key: one partition (a salted hot key: all its salts).
    /// With `by`, a read selecting one value of another field: one
    /// partition when the partition key is exactly that field, else all.
    Read {
        /// The field the read selects on, when not the partition key.
        by: Option<usize>,
    },
    /// A range scan over `[v, v + width)` of a field, v drawn from it.
    Scan {
        /// The scanned field (index into the schema).
        field: usize,
        /// Width of the range in the field's units.
        width: u64,
    },
    /// An aggregation over the records of one group of a field.
    Aggregate {
        /// The grouping field (index into the schema).
        group_by: usize,
    },
}

impl OpKind {
    /// The name used in workload files and reports.
    pub fn name(&self) -> &'static str {
        match self {
            OpKind::Write => "write",
            OpKind::Read { .. } => "read",
            OpKind::Scan { .. } => "scan",
            OpKind::Aggregate { .. } => "aggregate",
        }
    }
}

/// One class of operation in the mix.
#[derive(Clone, Debug, PartialEq)]
pub struct OpSpec {
    /// Name, unique within the workload.
    pub name: String,
    /// What it does.
    pub kind: OpKind,
    /// Relative weight in the mix (> 0).
    pub weight: f64,
    /// Service-time multiplier in the latency model (> 0, default 1).
    pub cost: f64,
    /// Per-field generator overrides for this op: `(field index, generator)`.
    pub overrides: Vec<(usize, GenSpec)>,
}

/// One strategy to compare, over a chosen partition key.
#[derive(Clone, Debug)]
pub struct StrategySpec {
    /// Display name, unique within the workload (such as `hash_user`).
    pub name: String,
    /// The strategy kind from the registry (such as `hash`).
    pub kind: String,
    /// Indices of the partition-key fields; several make a composite key.
    pub key: Vec<usize>,
    /// Names of the partition-key fields.
    pub key_names: Vec<String>,
    /// Partitions for this strategy alone; `None` takes the run's.
    pub partitions: Option<u32>,
    /// Kind-specific parameters, checked by the strategy's builder.
    pub params: Params,
    /// Where it was defined.
    pub origin: Origin,
}

impl StrategySpec {
    /// A short label such as `hash(user)` or `range(customer_id,order_id)`.
    pub fn label(&self) -> String {
        format!("{}({})", self.kind, self.key_names.join(","))
    }
}

/// How follower counts are derived from a user's popularity rank.
#[derive(Clone, Debug, PartialEq)]
pub struct FollowersSpec {
    /// Followers of the most popular user (rank 1).
    pub max: u64,
    /// Decay exponent: rank r has `max * r^-exponent` followers.
    pub exponent: f64,
    /// Floor on any user's follower count.
    pub min: u64,
}

impl FollowersSpec {
    /// Followers of the user with key `key` (rank `key + 1`), capped at
    /// `users - 1` (nobody follows themselves).
    pub fn of(&self, key: u64, users: u64) -> u64 {
        let rank = (key + 1) as f64;
        let f = (self.max as f64 * rank.powf(-self.exponent)).floor() as u64;
        f.max(self.min).min(users.saturating_sub(1))
    }
}

/// Which fan-out model the per-partition traffic counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FanoutMode {
    /// Every post is written to each follower's timeline.
    Write,
    /// Posts of celebrities (followers ≥ threshold) are not fanned out;
    /// timeline reads fetch them from the celebrities' partitions instead.
    Hybrid,
}

/// Fan-out of posts to followers' timelines.
#[derive(Clone, Debug, PartialEq)]
pub struct FanoutSpec {
    /// The op whose events are posts (must be a write).
    pub post_op: usize,
    /// The op whose events are timeline reads (must be a read).
    pub read_op: usize,
    /// The field holding the author and the timeline owner.
    pub field: usize,
    /// Follower counts.
    pub followers: FollowersSpec,
    /// Authors with at least this many followers are celebrities.
    pub celebrity_threshold: u64,
    /// Which model the traffic counts.
    pub mode: FanoutMode,
}

/// Service-time distribution of one partition's workers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ServiceDist {
    /// Every request takes the mean.
    Constant,
    /// Exponential with the given mean.
    Exponential,
    /// Lognormal with the given mean and shape sigma of the log.
    Lognormal {
        /// Standard deviation of ln(service time).
        sigma: f64,
    },
}

/// The queueing model that turns per-partition load into latency.
#[derive(Clone, Debug, PartialEq)]
pub struct LatencySpec {
    /// Offered traffic R over all partitions, in operations per second.
    pub rate_per_sec: f64,
    /// Workers (servers) per partition, c ≥ 1.
    pub workers: u32,
    /// Mean service time of an op with cost 1, in milliseconds.
    pub service_mean_ms: f64,
    /// Service-time distribution.
    pub service: ServiceDist,
    /// Simulated duration, in seconds.
    pub duration_sec: f64,
}

impl Default for LatencySpec {
    fn default() -> Self {
        Self {
            rate_per_sec: 100_000.0,
            workers: 1,
            service_mean_ms: 0.1,
            service: ServiceDist::Exponential,
            duration_sec: 5.0,
        }
    }
}

/// Run defaults stated by the workload; flags override them.
#[derive(Clone, Debug, PartialEq)]
pub struct RunDefaults {
    /// Number of events.
    pub events: u64,
    /// Number of partitions.
    pub partitions: u32,
    /// Seed.
    pub seed: u64,
}

/// A resolved, validated workload.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Short name (the preset name or the file stem).
    pub name: String,
    /// One line saying what the workload models.
    pub description: String,
    /// Where it came from: `preset NAME` or a path.
    pub source: String,
    /// The TOML text as read, for `run.json`.
    pub text: String,
    /// The record schema.
    pub fields: Vec<FieldSpec>,
    /// The operation mix.
    pub ops: Vec<OpSpec>,
    /// The strategies to compare.
    pub strategies: Vec<StrategySpec>,
    /// Run defaults.
    pub run: RunDefaults,
    /// Fan-out of posts, when the workload has followers.
    pub fanout: Option<FanoutSpec>,
    /// The latency model.
    pub latency: LatencySpec,
}

impl Workload {
    /// A workload built in code rather than read from TOML: the named
    /// fields, one write op, no strategies yet, and the default run and
    /// latency settings. `shardbench route`, tests and benches use it.
    pub fn with_fields(name: &str, fields: &[(&str, GenSpec)]) -> Self {
        let origin = Origin {
            file: name.to_string(),
            line: None,
        };
        Self {
            name: name.to_string(),
            description: String::new(),
            source: name.to_string(),
            text: String::new(),
            fields: fields
                .iter()
                .map(|(n, g)| FieldSpec {
                    name: n.to_string(),
                    generator: g.clone(),
                    origin: origin.clone(),
                })
                .collect(),
            ops: vec![OpSpec {
                name: "write".to_string(),
                kind: OpKind::Write,
                weight: 1.0,
                cost: 1.0,
                overrides: Vec::new(),
            }],
            strategies: Vec::new(),
            run: RunDefaults {
                events: parse::DEFAULT_EVENTS,
                partitions: parse::DEFAULT_PARTITIONS,
                seed: parse::DEFAULT_SEED,
            },
            fanout: None,
            latency: LatencySpec::default(),
        }
    }

    /// Index of the field called `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The generator that op `op` uses for field `field`.
    pub fn generator_for(&self, op: usize, field: usize) -> &GenSpec {
        self.ops[op]
            .overrides
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, g)| g)
            .unwrap_or(&self.fields[field].generator)
    }
}
