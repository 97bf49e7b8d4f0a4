//! Reading workload TOML into a validated [`Workload`].
//!
//! Values are read from a [`toml::Table`]; a second, span-keeping parse of
//! the same text gives the line of every key, so each error names the file,
//! the line and the dotted key, and says what is allowed. Unknown keys are
//! errors too: a misspelt option never turns silently into a default.

use std::ops::Range;

use toml::Value;
use toml::de::{DeTable, DeValue};

use super::{
    FanoutMode, FanoutSpec, FieldSpec, FollowersSpec, GenSpec, LatencySpec, OpKind, OpSpec, Params,
    RunDefaults, ServiceDist, StrategySpec, Workload,
};
use crate::batch::MAX_FIELDS;
use crate::error::{Origin, SpecError};

/// The most ops a workload may have (an op index is stored in a byte).
pub const MAX_OPS: usize = 255;

/// Default number of events when a workload does not say.
pub const DEFAULT_EVENTS: u64 = 10_000_000;
/// Default number of partitions when a workload does not say.
pub const DEFAULT_PARTITIONS: u32 = 64;
/// Default seed when a workload does not say.
pub const DEFAULT_SEED: u64 = 42;
/// The largest partition count accepted.
pub const MAX_PARTITIONS: u64 = 1 << 20;

/// Parses workload `text`, read from `file`, into a [`Workload`] called
/// `name`; `source` is recorded as where it came from.
pub fn parse(text: &str, file: &str, name: &str, source: &str) -> Result<Workload, SpecError> {
    let doc = Doc::new(text, file)?;
    doc.workload(name, source)
}

/// Parses a count as written on the command line or in a workload:
/// `10M`, `2.5k`, `1e9`, `1_000_000`. Suffixes k, M, G (and B) are powers
/// of 1000. Returns a message saying what is allowed on failure.
pub fn parse_count(s: &str) -> Result<u64, String> {
    let allowed =
        "expected a non-negative whole number such as 1000000, 1_000_000, 10M, 2.5k or 1e9";
    let t: String = s.trim().chars().filter(|c| *c != '_').collect();
    if t.is_empty() || t.starts_with('-') {
        return Err(format!("{allowed}, got \"{s}\""));
    }
    let (digits, scale) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1e3),
        Some('m' | 'M') => (&t[..t.len() - 1], 1e6),
        Some('g' | 'G' | 'b' | 'B') => (&t[..t.len() - 1], 1e9),
        _ => (t.as_str(), 1.0),
    };
    if scale == 1.0
        && let Ok(v) = digits.parse::<u64>()
    {
        return Ok(v);
    }
    match digits.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => {
            let v = x * scale;
            if v.fract() != 0.0 || v > u64::MAX as f64 {
                Err(format!("{allowed}, got \"{s}\""))
            } else {
                Ok(v as u64)
            }
        }
        _ => Err(format!("{allowed}, got \"{s}\"")),
    }
}

/// One step of a key path.
#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
}

/// The document: its values, its spans, and how to report errors in it.
struct Doc<'a> {
    file: &'a str,
    text: &'a str,
    root: toml::Table,
    spans: DeTable<'a>,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str, file: &'a str) -> Result<Self, SpecError> {
        let syntax = |e: toml::de::Error| {
            let line = e.span().map(|s| line_of(text, s));
            let message = e.message().trim().replace('\n', " ");
            SpecError {
                origin: Origin {
                    file: file.to_string(),
                    line,
                },
                key: String::new(),
                message: format!("not valid TOML: {message}"),
            }
        };
        let root: toml::Table = text.parse().map_err(syntax)?;
        let spans = DeTable::parse(text).map_err(syntax)?.into_inner();
        Ok(Self {
            file,
            text,
            root,
            spans,
        })
    }

    /// The line of the value at `path`, or of its nearest existing parent.
    fn line(&self, path: &[Seg<'_>]) -> Option<usize> {
        let mut table: &DeTable<'_> = &self.spans;
        let mut value: Option<&DeValue<'_>> = None;
        let mut best: Option<Range<usize>> = None;
        for seg in path {
            let next = match (seg, value) {
                (Seg::Key(k), None) => table.iter().find(|(key, _)| key.get_ref() == k),
                (Seg::Key(k), Some(DeValue::Table(t))) => {
                    table = t;
                    t.iter().find(|(key, _)| key.get_ref() == k)
                }
                _ => None,
            };
            let Some((key, v)) = next else { break };
            best = Some(key.span());
            value = Some(v.get_ref());
            if let DeValue::Table(t) = v.get_ref() {
                table = t;
                value = Some(v.get_ref());
            }
        }
        best.map(|s| line_of(self.text, s))
    }

    fn err(&self, path: &[Seg<'_>], message: impl Into<String>) -> SpecError {
        SpecError {
            origin: Origin {
                file: self.file.to_string(),
                line: self.line(path),
            },
            key: dotted(path),
            message: message.into(),
        }
    }

    fn origin(&self, path: &[Seg<'_>]) -> Origin {
        Origin {
            file: self.file.to_string(),
            line: self.line(path),
        }
    }

    fn workload(&self, name: &str, source: &str) -> Result<Workload, SpecError> {
        let top = Table::new(self, &self.root, vec![]);
        top.only(&[
            "name",
            "description",
            "run",
            "fields",
            "ops",
            "strategies",
            "fanout",
            "latency",
        ])?;
        let name = top.opt_str("name")?.unwrap_or_else(|| name.to_string());
        let description = top.opt_str("description")?.unwrap_or_default();

        let fields = self.fields(&top)?;
        let ops = self.ops(&top, &fields)?;
        let strategies = self.strategies(&top, &fields)?;
        let run = self.run(&top, &strategies)?;
        let fanout = self.fanout(&top, &fields, &ops)?;
        let latency = self.latency(&top)?;

        Ok(Workload {
            name,
            description,
            source: source.to_string(),
            text: self.text.to_string(),
            fields,
            ops,
            strategies: run.1,
            run: run.0,
            fanout,
            latency,
        })
    }

    fn fields(&self, top: &Table<'_, 'a>) -> Result<Vec<FieldSpec>, SpecError> {
        let t = top.table("fields")?.ok_or_else(|| {
            self.err(
                &[Seg::Key("fields")],
                "missing: a workload needs a [fields] table",
            )
        })?;
        if t.map.is_empty() {
            return Err(self.err(&[Seg::Key("fields")], "needs at least one field"));
        }
        if t.map.len() > MAX_FIELDS {
            let msg = format!("at most {MAX_FIELDS} fields are allowed");
            return Err(self.err(&[Seg::Key("fields")], msg));
        }
        let mut out = Vec::new();
        for name in t.map.keys() {
            let g = t.table(name)?.ok_or_else(|| {
                let path = [Seg::Key("fields"), Seg::Key(name)];
                self.err(
                    &path,
                    "expected a table such as { dist = \"zipf\", n = 1000, s = 1.0 }",
                )
            })?;
            out.push(FieldSpec {
                name: name.clone(),
                generator: generator(&g)?,
                origin: self.origin(&g.path),
            });
        }
        Ok(out)
    }

    fn ops(&self, top: &Table<'_, 'a>, fields: &[FieldSpec]) -> Result<Vec<OpSpec>, SpecError> {
        let t = top.table("ops")?.ok_or_else(|| {
            self.err(
                &[Seg::Key("ops")],
                "missing: a workload needs at least one [ops.NAME]",
            )
        })?;
        if t.map.is_empty() || t.map.len() > MAX_OPS {
            let msg = format!("needs between 1 and {MAX_OPS} ops");
            return Err(self.err(&[Seg::Key("ops")], msg));
        }
        let mut out = Vec::new();
        for name in t.map.keys() {
            let op = t.table(name)?.ok_or_else(|| {
                let path = [Seg::Key("ops"), Seg::Key(name)];
                self.err(&path, "expected a table with kind and weight")
            })?;
            op.only(&[
                "kind", "weight", "cost", "by", "field", "width", "group_by", "fields",
            ])?;
            let field_ref = |key: &str| -> Result<usize, SpecError> {
                let f = op.req_str(key)?;
                field_index(fields, &f).ok_or_else(|| op.bad_field(key, &f, fields))
            };
            let kind = match op.req_str("kind")?.as_str() {
                "write" => OpKind::Write,
                "read" => OpKind::Read {
                    by: match op.map.get("by") {
                        None => None,
                        Some(_) => Some(field_ref("by")?),
                    },
                },
                "scan" => OpKind::Scan {
                    field: field_ref("field")?,
                    width: op.count_in("width", None, 1, u64::MAX)?,
                },
                "aggregate" => OpKind::Aggregate {
                    group_by: field_ref("group_by")?,
                },
                other => {
                    let msg =
                        format!("expected one of write, read, scan, aggregate, got \"{other}\"");
                    return Err(op.err("kind", msg));
                }
            };
            for key in ["field", "width"] {
                if op.map.contains_key(key) && !matches!(kind, OpKind::Scan { .. }) {
                    return Err(op.err(key, "only scans take `field` and `width`"));
                }
            }
            if op.map.contains_key("by") && !matches!(kind, OpKind::Read { .. }) {
                return Err(op.err("by", "only reads take `by`"));
            }
            if op.map.contains_key("group_by") && !matches!(kind, OpKind::Aggregate { .. }) {
                return Err(op.err("group_by", "only aggregations take `group_by`"));
            }
            let weight = op.f64_in("weight", None, 0.0, f64::MAX)?;
            let cost = op.f64_in("cost", Some(1.0), f64::MIN_POSITIVE, 1e9)?;
            let mut overrides = Vec::new();
            if let Some(ov) = op.table("fields")? {
                for fname in ov.map.keys() {
                    let f = field_index(fields, fname)
                        .ok_or_else(|| ov.bad_field_key(fname, fields))?;
                    let g = ov.table(fname)?.ok_or_else(|| {
                        ov.err(
                            fname,
                            "expected a generator table such as { dist = \"uniform\", n = 100 }",
                        )
                    })?;
                    overrides.push((f, generator(&g)?));
                }
            }
            out.push(OpSpec {
                name: name.clone(),
                kind,
                weight,
                cost,
                overrides,
            });
        }
        if out.iter().map(|o| o.weight).sum::<f64>() <= 0.0 {
            return Err(self.err(
                &[Seg::Key("ops")],
                "op weights sum to zero; give at least one op a weight > 0",
            ));
        }
        Ok(out)
    }

    fn strategies(
        &self,
        top: &Table<'_, 'a>,
        fields: &[FieldSpec],
    ) -> Result<Vec<StrategySpec>, SpecError> {
        let t = top.table("strategies")?.ok_or_else(|| {
            let msg = "missing: a workload needs at least one [strategies.NAME]";
            self.err(&[Seg::Key("strategies")], msg)
        })?;
        if t.map.is_empty() {
            let msg = "needs at least one strategy";
            return Err(self.err(&[Seg::Key("strategies")], msg));
        }
        let mut out = Vec::new();
        for name in t.map.keys() {
            let s = t.table(name)?.ok_or_else(|| {
                let path = [Seg::Key("strategies"), Seg::Key(name)];
                self.err(&path, "expected a table with kind and key")
            })?;
            let kind = s.req_str("kind")?;
            if crate::strategy::kind(&kind).is_none() {
                let names: Vec<&str> = crate::strategy::REGISTRY.iter().map(|k| k.name).collect();
                let msg = format!(
                    "unknown strategy kind \"{kind}\"; known: {}",
                    names.join(", ")
                );
                return Err(s.err("kind", msg));
            }
            let key_names = s.str_or_list("key")?;
            if key_names.is_empty() {
                return Err(s.err("key", "name at least one field"));
            }
            let mut key = Vec::new();
            for k in &key_names {
                key.push(field_index(fields, k).ok_or_else(|| s.bad_field("key", k, fields))?);
            }
            let partitions = match s.map.get("partitions") {
                None => None,
                Some(_) => Some(s.count_in("partitions", None, 1, MAX_PARTITIONS)? as u32),
            };
            let prefix = format!("strategies.{name}");
            let mut params = Params::new(prefix, self.file);
            for (pk, pv) in s.map {
                if pk == "kind" || pk == "key" || pk == "partitions" {
                    continue;
                }
                let path = s.child(pk);
                params.values.insert(
                    pk.clone(),
                    super::params::Param {
                        value: pv.clone(),
                        line: self.line(&path),
                    },
                );
            }
            out.push(StrategySpec {
                name: name.clone(),
                kind,
                key,
                key_names,
                partitions,
                params,
                origin: self.origin(&s.path),
            });
        }
        Ok(out)
    }

    fn run(
        &self,
        top: &Table<'_, 'a>,
        strategies: &[StrategySpec],
    ) -> Result<(RunDefaults, Vec<StrategySpec>), SpecError> {
        let defaults = RunDefaults {
            events: DEFAULT_EVENTS,
            partitions: DEFAULT_PARTITIONS,
            seed: DEFAULT_SEED,
        };
        let Some(r) = top.table("run")? else {
            return Ok((defaults, strategies.to_vec()));
        };
        r.only(&["events", "partitions", "seed", "strategies"])?;
        let run = RunDefaults {
            events: r.count_in("events", Some(defaults.events), 1, u64::MAX)?,
            partitions: r.count_in(
                "partitions",
                Some(DEFAULT_PARTITIONS as u64),
                1,
                MAX_PARTITIONS,
            )? as u32,
            seed: r.count_in("seed", Some(DEFAULT_SEED), 0, u64::MAX)?,
        };
        let chosen = match r.map.get("strategies") {
            None => strategies.to_vec(),
            Some(_) => {
                let names = r.str_or_list("strategies")?;
                select(strategies, &names).map_err(|msg| r.err("strategies", msg))?
            }
        };
        Ok((run, chosen))
    }

    fn fanout(
        &self,
        top: &Table<'_, 'a>,
        fields: &[FieldSpec],
        ops: &[OpSpec],
    ) -> Result<Option<FanoutSpec>, SpecError> {
        let Some(t) = top.table("fanout")? else {
            return Ok(None);
        };
        t.only(&[
            "post",
            "read",
            "field",
            "followers",
            "celebrity_threshold",
            "mode",
        ])?;
        let op_ref = |key: &str, want: OpKind| -> Result<usize, SpecError> {
            let name = t.req_str(key)?;
            let i = ops.iter().position(|o| o.name == name).ok_or_else(|| {
                let names: Vec<&str> = ops.iter().map(|o| o.name.as_str()).collect();
                t.err(
                    key,
                    format!("no op \"{name}\"; ops are: {}", names.join(", ")),
                )
            })?;
            if ops[i].kind != want {
                let msg = format!("op \"{name}\" must be a {}", want.name());
                return Err(t.err(key, msg));
            }
            Ok(i)
        };
        let post_op = op_ref("post", OpKind::Write)?;
        let read_op = op_ref("read", OpKind::Read { by: None })?;
        let fname = t.req_str("field")?;
        let field =
            field_index(fields, &fname).ok_or_else(|| t.bad_field("field", &fname, fields))?;
        let f = t.table("followers")?.ok_or_else(|| {
            t.err(
                "followers",
                "expected a table { max = 1000000, exponent = 0.8, min = 10 }",
            )
        })?;
        f.only(&["max", "exponent", "min"])?;
        let followers = FollowersSpec {
            max: f.count_in("max", None, 1, u64::MAX)?,
            exponent: f.f64_in("exponent", None, 0.0, 100.0)?,
            min: f.count_in("min", Some(0), 0, u64::MAX)?,
        };
        let mode = match t.opt_str("mode")?.as_deref() {
            None | Some("write") => FanoutMode::Write,
            Some("hybrid") => FanoutMode::Hybrid,
            Some(other) => {
                let msg = format!("expected \"write\" or \"hybrid\", got \"{other}\"");
                return Err(t.err("mode", msg));
            }
        };
        Ok(Some(FanoutSpec {
            post_op,
            read_op,
            field,
            followers,
            celebrity_threshold: t.count_in("celebrity_threshold", None, 1, u64::MAX)?,
            mode,
        }))
    }

    fn latency(&self, top: &Table<'_, 'a>) -> Result<LatencySpec, SpecError> {
        let d = LatencySpec::default();
        let Some(t) = top.table("latency")? else {
            return Ok(d);
        };
        t.only(&[
            "rate",
            "workers",
            "service",
            "service_mean_ms",
            "sigma",
            "duration_s",
        ])?;
        let service = match t.opt_str("service")?.as_deref() {
            None | Some("exponential") => ServiceDist::Exponential,
            Some("constant") => ServiceDist::Constant,
            Some("lognormal") => ServiceDist::Lognormal {
                sigma: t.f64_in("sigma", Some(1.0), 1e-6, 10.0)?,
            },
            Some(other) => {
                let msg = format!(
                    "expected \"constant\", \"exponential\" or \"lognormal\", got \"{other}\""
                );
                return Err(t.err("service", msg));
            }
        };
        if t.map.contains_key("sigma") && !matches!(service, ServiceDist::Lognormal { .. }) {
            return Err(t.err("sigma", "only a lognormal service takes `sigma`"));
        }
        Ok(LatencySpec {
            rate_per_sec: t.f64_in("rate", Some(d.rate_per_sec), f64::MIN_POSITIVE, 1e15)?,
            workers: t.count_in("workers", Some(d.workers as u64), 1, 4096)? as u32,
            service_mean_ms: t.f64_in("service_mean_ms", Some(d.service_mean_ms), 1e-9, 1e9)?,
            service,
            duration_sec: t.f64_in("duration_s", Some(d.duration_sec), 1e-6, 1e9)?,
        })
    }
}

/// Picks strategies by name, in the order given; the message lists the
/// known names when one is unknown.
pub fn select(all: &[StrategySpec], names: &[String]) -> Result<Vec<StrategySpec>, String> {
    let mut out: Vec<StrategySpec> = Vec::new();
    for n in names {
        let found = all.iter().find(|s| &s.name == n || s.kind == *n);
        match found {
            Some(s) if !out.iter().any(|o| o.name == s.name) => out.push(s.clone()),
            Some(_) => {}
            None => {
                let known: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
                return Err(format!(
                    "unknown strategy \"{n}\"; this workload has: {}",
                    known.join(", ")
                ));
            }
        }
    }
    if out.is_empty() {
        return Err("name at least one strategy".to_string());
    }
    Ok(out)
}

/// Reads one generator table.
fn generator(g: &Table<'_, '_>) -> Result<GenSpec, SpecError> {
    let dist = g.req_str("dist")?;
    let n = || g.count_in("n", None, 1, 1 << 40);
    let s = || g.f64_in_open0("s");
    let spec = match dist.as_str() {
        "uniform" => {
            g.only(&["dist", "n"])?;
            GenSpec::Uniform { n: n()? }
        }
        "zipf" => {
            g.only(&["dist", "n", "s", "scramble"])?;
            GenSpec::Zipf {
                n: n()?,
                s: s()?,
                scramble: g.opt_bool("scramble")?.unwrap_or(false),
            }
        }
        "hotspot" => {
            g.only(&["dist", "n", "hot_fraction", "hot_share"])?;
            let hot_fraction = g.f64_in("hot_fraction", None, 0.0, 1.0)?;
            if hot_fraction <= 0.0 || hot_fraction >= 1.0 {
                return Err(g.err("hot_fraction", "expected a number strictly between 0 and 1"));
            }
            GenSpec::Hotspot {
                n: n()?,
                hot_fraction,
                hot_share: g.f64_in("hot_share", None, 0.0, 1.0)?,
            }
        }
        "latest" => {
            g.only(&["dist", "initial", "growth", "s"])?;
            GenSpec::Latest {
                initial: g.count_in("initial", None, 1, 1 << 40)?,
                growth: g.f64_in("growth", Some(0.0), 0.0, 1e6)?,
                s: s()?,
            }
        }
        "sequence" => {
            g.only(&["dist", "start", "per_unit"])?;
            let per_unit = g.f64_in("per_unit", Some(1.0), 0.0, 1e18)?;
            if per_unit <= 0.0 {
                return Err(g.err(
                    "per_unit",
                    "expected a number > 0 (events per unit of value)",
                ));
            }
            GenSpec::Sequence {
                start: g.count_in("start", Some(0), 0, u64::MAX / 2)?,
                per_unit,
            }
        }
        "categorical" => {
            g.only(&["dist", "values", "weights"])?;
            let values = g.str_or_list("values")?;
            if values.is_empty() {
                return Err(g.err("values", "name at least one value"));
            }
            let weights = match g.map.get("weights") {
                None => vec![1.0; values.len()],
                Some(_) => g.f64_list("weights")?,
            };
            if weights.len() != values.len() {
                let msg = format!(
                    "{} weights for {} values; give one weight per value",
                    weights.len(),
                    values.len()
                );
                return Err(g.err("weights", msg));
            }
            if weights.iter().sum::<f64>() <= 0.0 {
                return Err(g.err(
                    "weights",
                    "weights sum to zero; give at least one value a weight > 0",
                ));
            }
            GenSpec::Categorical { values, weights }
        }
        "celebrity" => {
            g.only(&["dist", "n", "celebrities", "share", "s"])?;
            let n = n()?;
            let celebrities = g.count_in("celebrities", None, 1, u64::MAX)?;
            if celebrities >= n {
                let msg = format!("expected fewer celebrities than keys (n = {n})");
                return Err(g.err("celebrities", msg));
            }
            GenSpec::Celebrity {
                n,
                celebrities,
                share: g.f64_in("share", None, 0.0, 1.0)?,
                s: s()?,
            }
        }
        "trace" => {
            g.only(&["dist", "path", "column"])?;
            GenSpec::Trace {
                path: g.req_str("path")?,
                column: g.opt_str("column")?,
            }
        }
        other => {
            let msg = format!(
                "unknown distribution \"{other}\"; expected one of uniform, zipf, hotspot, \
                 latest, sequence, categorical, celebrity, trace"
            );
            return Err(g.err("dist", msg));
        }
    };
    Ok(spec)
}

fn field_index(fields: &[FieldSpec], name: &str) -> Option<usize> {
    fields.iter().position(|f| f.name == name)
}

/// A table of the document with its path, and typed getters whose errors
/// point at the key.
struct Table<'d, 'a> {
    doc: &'d Doc<'a>,
    map: &'d toml::Table,
    path: Vec<Seg<'d>>,
}

impl<'d, 'a> Table<'d, 'a> {
    fn new(doc: &'d Doc<'a>, map: &'d toml::Table, path: Vec<Seg<'d>>) -> Self {
        Self { doc, map, path }
    }

    fn child(&self, key: &'d str) -> Vec<Seg<'d>> {
        let mut p = self.path.clone();
        p.push(Seg::Key(key));
        p
    }

    fn err(&self, key: &'d str, message: impl Into<String>) -> SpecError {
        self.doc.err(&self.child(key), message)
    }

    fn bad_field(&self, key: &'d str, name: &str, fields: &[FieldSpec]) -> SpecError {
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let msg = format!(
            "no field \"{name}\" in the schema; fields are: {}",
            names.join(", ")
        );
        self.err(key, msg)
    }

    fn bad_field_key(&self, key: &'d str, fields: &[FieldSpec]) -> SpecError {
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let msg = format!(
            "not a field of the schema; fields are: {}",
            names.join(", ")
        );
        self.err(key, msg)
    }

    /// Rejects keys outside `allowed`.
    fn only(&self, allowed: &[&str]) -> Result<(), SpecError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            None => Ok(()),
            Some(k) => {
                let msg = format!("unknown key; allowed here: {}", allowed.join(", "));
                Err(self.err(k, msg))
            }
        }
    }

    fn table(&self, key: &'d str) -> Result<Option<Table<'d, 'a>>, SpecError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Table(t)) => Ok(Some(Table::new(self.doc, t, self.child(key)))),
            Some(other) => {
                Err(self.err(key, format!("expected a table, got {}", other.type_str())))
            }
        }
    }

    fn opt_str(&self, key: &'d str) -> Result<Option<String>, SpecError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => {
                Err(self.err(key, format!("expected a string, got {}", other.type_str())))
            }
        }
    }

    fn req_str(&self, key: &'d str) -> Result<String, SpecError> {
        self.opt_str(key)?
            .ok_or_else(|| self.err(key, "missing; this key is required"))
    }

    fn opt_bool(&self, key: &'d str) -> Result<Option<bool>, SpecError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(other) => Err(self.err(
                key,
                format!("expected true or false, got {}", other.type_str()),
            )),
        }
    }

    fn str_or_list(&self, key: &'d str) -> Result<Vec<String>, SpecError> {
        let bad = |got: &str| {
            self.err(
                key,
                format!("expected a string or an array of strings, got {got}"),
            )
        };
        match self.map.get(key) {
            None => Err(self.err(key, "missing; this key is required")),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(bad(other.type_str())),
                })
                .collect(),
            Some(other) => Err(bad(other.type_str())),
        }
    }

    fn f64_list(&self, key: &'d str) -> Result<Vec<f64>, SpecError> {
        let bad = |got: String| self.err(key, format!("expected an array of numbers ≥ 0, {got}"));
        let Some(Value::Array(items)) = self.map.get(key) else {
            return Err(bad("got something else".to_string()));
        };
        items
            .iter()
            .map(|v| match v {
                Value::Integer(i) if *i >= 0 => Ok(*i as f64),
                Value::Float(f) if *f >= 0.0 && f.is_finite() => Ok(*f),
                other => Err(bad(format!("found {other}"))),
            })
            .collect()
    }

    /// A whole number in `min..=max`: an integer, or a string such as
    /// "10M" or "1e9".
    fn count_in(
        &self,
        key: &'d str,
        default: Option<u64>,
        min: u64,
        max: u64,
    ) -> Result<u64, SpecError> {
        let allowed = || {
            if max == u64::MAX {
                format!("expected a whole number ≥ {min}")
            } else {
                format!("expected a whole number in {min}..={max}")
            }
        };
        let v = match self.map.get(key) {
            None => return default.ok_or_else(|| self.err(key, "missing; this key is required")),
            Some(Value::Integer(i)) if *i >= 0 => *i as u64,
            Some(Value::Integer(i)) => {
                return Err(self.err(key, format!("{} (got {i})", allowed())));
            }
            Some(Value::Float(f)) if f.fract() == 0.0 && *f >= 0.0 && *f < u64::MAX as f64 => {
                *f as u64
            }
            Some(Value::String(s)) => parse_count(s).map_err(|m| self.err(key, m))?,
            Some(other) => {
                return Err(self.err(key, format!("{}, got {other}", allowed())));
            }
        };
        if v < min || v > max {
            return Err(self.err(key, format!("{} (got {v})", allowed())));
        }
        Ok(v)
    }

    fn f64_in(
        &self,
        key: &'d str,
        default: Option<f64>,
        min: f64,
        max: f64,
    ) -> Result<f64, SpecError> {
        let x = match self.map.get(key) {
            None => return default.ok_or_else(|| self.err(key, "missing; this key is required")),
            Some(Value::Integer(i)) => *i as f64,
            Some(Value::Float(f)) => *f,
            Some(other) => {
                let msg = format!("expected a number, got {}", other.type_str());
                return Err(self.err(key, msg));
            }
        };
        if !(x >= min && x <= max) {
            let msg = if max == f64::MAX {
                format!("expected a number ≥ {min} (got {x})")
            } else {
                format!("expected a number in [{min}, {max}] (got {x})")
            };
            return Err(self.err(key, msg));
        }
        Ok(x)
    }

    /// An exponent: a finite number > 0.
    fn f64_in_open0(&self, key: &'d str) -> Result<f64, SpecError> {
        let s = self.f64_in(key, None, f64::MIN, f64::MAX)?;
        if !(s > 0.0 && s.is_finite() && s <= 100.0) {
            let msg = format!("expected an exponent > 0 and ≤ 100 (got {s})");
            return Err(self.err(key, msg));
        }
        Ok(s)
    }
}

fn dotted(path: &[Seg<'_>]) -> String {
    let mut s = String::new();
    for seg in path {
        let Seg::Key(k) = seg;
        if !s.is_empty() {
            s.push('.');
        }
        s.push_str(k);
    }
    s
}

fn line_of(text: &str, span: Range<usize>) -> usize {
    let end = span.start.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "t"
[fields]
user = { dist = "zipf", n = 1000, s = 1.1 }
[ops.get]
kind = "read"
weight = 1
[strategies.hash_user]
kind = "hash"
key = "user"
"#;

    fn err_of(text: &str) -> String {
        parse(text, "w.toml", "w", "w.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn minimal_workload_parses_with_defaults() {
        let w = parse(MINIMAL, "w.toml", "w", "w.toml").unwrap();
        assert_eq!(w.fields.len(), 1);
        assert_eq!(w.ops[0].kind, OpKind::Read { by: None });
        assert_eq!(w.strategies[0].key, vec![0]);
        assert_eq!(w.run.partitions, DEFAULT_PARTITIONS);
    }

    #[test]
    fn counts_accept_suffixes_underscores_and_exponents() {
        assert_eq!(parse_count("10M"), Ok(10_000_000));
        assert_eq!(parse_count("1e9"), Ok(1_000_000_000));
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_count("2.5k"), Ok(2500));
        assert!(parse_count("-5").is_err());
        assert!(parse_count("ten").is_err());
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("").is_err());
    }

    #[test]
    fn bad_exponent_names_file_line_and_key() {
        let text = MINIMAL.replace("s = 1.1", "s = 0");
        let e = err_of(&text);
        assert!(e.starts_with("w.toml:4: `fields.user.s`"), "{e}");
        assert!(e.contains("> 0"), "{e}");
    }

    #[test]
    fn zero_key_space_is_rejected() {
        let e = err_of(&MINIMAL.replace("n = 1000", "n = 0"));
        assert!(e.contains("`fields.user.n`") && e.contains("1..="), "{e}");
    }

    #[test]
    fn unknown_key_is_rejected_with_what_is_allowed() {
        let e = err_of(&MINIMAL.replace("weight = 1", "weight = 1\nwieght = 2"));
        assert!(
            e.starts_with("w.toml:8: `ops.get.wieght`: unknown key"),
            "{e}"
        );
        assert!(e.contains("weight"), "{e}");
    }

    #[test]
    fn wrong_type_is_rejected() {
        let e = err_of(&MINIMAL.replace("weight = 1", "weight = \"heavy\""));
        assert!(
            e.contains("`ops.get.weight`: expected a number, got string"),
            "{e}"
        );
    }

    #[test]
    fn zero_weights_are_rejected() {
        let e = err_of(&MINIMAL.replace("weight = 1", "weight = 0"));
        assert!(e.contains("sum to zero"), "{e}");
    }

    #[test]
    fn key_field_must_exist() {
        let e = err_of(&MINIMAL.replace("key = \"user\"", "key = \"customer\""));
        assert!(
            e.starts_with("w.toml:10: `strategies.hash_user.key`"),
            "{e}"
        );
        assert!(
            e.contains("no field \"customer\"") && e.contains("user"),
            "{e}"
        );
    }

    #[test]
    fn unknown_strategy_kind_lists_known_kinds() {
        let e = err_of(&MINIMAL.replace("kind = \"hash\"", "kind = \"hashy\""));
        assert!(
            e.contains("unknown strategy kind \"hashy\"") && e.contains("hash"),
            "{e}"
        );
    }

    #[test]
    fn syntax_error_names_the_line() {
        let e = err_of("name = \"x\"\n[fields\n");
        assert!(e.starts_with("w.toml:2: not valid TOML"), "{e}");
    }

    #[test]
    fn zero_partitions_are_rejected() {
        let e = err_of(&format!("{MINIMAL}\n[run]\npartitions = 0\n"));
        assert!(e.contains("`run.partitions`") && e.contains("1..="), "{e}");
    }

    #[test]
    fn negative_events_are_rejected() {
        let e = err_of(&format!("{MINIMAL}\n[run]\nevents = -3\n"));
        assert!(e.contains("`run.events`"), "{e}");
        let e = err_of(&format!("{MINIMAL}\n[run]\nevents = \"lots\"\n"));
        assert!(e.contains("`run.events`") && e.contains("10M"), "{e}");
    }

    #[test]
    fn categorical_weights_must_not_sum_to_zero() {
        let text = MINIMAL.replace(
            "user = { dist = \"zipf\", n = 1000, s = 1.1 }",
            "user = { dist = \"zipf\", n = 1000, s = 1.1 }\nregion = { dist = \"categorical\", values = [\"eu\", \"us\"], weights = [0, 0] }",
        );
        let e = err_of(&text);
        assert!(
            e.contains("`fields.region.weights`") && e.contains("sum to zero"),
            "{e}"
        );
    }

    #[test]
    fn strategy_options_keep_their_lines() {
        let text = MINIMAL.replace("key = \"user\"", "key = \"user\"\nvnodes = 7");
        let w = parse(&text, "w.toml", "w", "w.toml").unwrap();
        let p = &w.strategies[0].params;
        assert_eq!(p.values["vnodes"].line, Some(11));
        let e = p.finish("hash").unwrap_err().to_string();
        assert!(
            e.starts_with("w.toml:11: `strategies.hash_user.vnodes`"),
            "{e}"
        );
    }
}
