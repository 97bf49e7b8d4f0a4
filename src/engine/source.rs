//! Filling batches with events: op choice and every field's values.
//!
//! Chunk c of the stream is a pure function of (seed, c): its generator is
//! `Rng::for_chunk(seed, Stream::Events, c)`, and the events it holds are
//! `c * CHUNK .. (c + 1) * CHUNK`. That is what lets any thread fill any
//! chunk and still produce the same run. A field replayed from a trace
//! takes its values from the trace's chunk c instead, read in order.

use std::path::PathBuf;

use crate::batch::{Batch, TextColumn};
use crate::error::{Error, Result};
use crate::generator::{self, AliasTable, Generator};
use crate::rng::{Rng, Stream};
use crate::trace::TraceReader;
use crate::workload::{GenSpec, Workload};

/// Events per chunk: large enough to amortize per-chunk work, small enough
/// that a batch's columns stay in the second-level cache.
pub const CHUNK: u64 = 1 << 14;

/// One chunk of a trace: the keys' bytes and their values.
pub type TraceChunk = (TextColumn, Vec<u64>);

/// The field whose keys are replayed from a file.
#[derive(Clone, Debug)]
pub struct TraceField {
    /// Index of the field in the schema.
    pub field: usize,
    /// The file.
    pub path: PathBuf,
    /// The CSV column, for CSV traces.
    pub column: Option<String>,
}

impl TraceField {
    /// Opens the trace from its start.
    pub fn open(&self) -> Result<TraceReader> {
        TraceReader::open(&self.path, self.column.as_deref())
    }

    /// Counts the keys in the trace, reading it once (streamed).
    pub fn count(&self) -> Result<u64> {
        let mut r = self.open()?;
        let (mut text, mut values) = (TextColumn::default(), Vec::new());
        let mut total = 0;
        loop {
            text.clear();
            values.clear();
            match r.next_chunk(CHUNK as usize, &mut text, &mut values)? {
                0 => return Ok(total),
                n => total += n as u64,
            }
        }
    }

    /// Reads the next chunk of at most `len` keys.
    pub fn read(reader: &mut TraceReader, len: usize) -> Result<TraceChunk> {
        let (mut text, mut values) = (TextColumn::default(), Vec::with_capacity(len));
        reader.next_chunk(len, &mut text, &mut values)?;
        Ok((text, values))
    }
}

/// Builds every op's generators and fills batches.
pub struct EventSource {
    /// `gens[op][field]`; `None` for the trace field.
    gens: Vec<Vec<Option<Box<dyn Generator>>>>,
    /// For each field, whether some op overrides its generator.
    overridden: Vec<bool>,
    /// Picks each event's op by weight; `None` when there is one op.
    op_table: Option<AliasTable>,
    /// The replayed field, if any.
    pub trace: Option<TraceField>,
    /// Values of the trace field seen in the sample, as `lo..hi`.
    pub trace_domain: (u64, u64),
    seed: u64,
    /// Events in the run.
    pub events: u64,
}

impl EventSource {
    /// The source of at most `events` events of `workload` under `seed`;
    /// a trace shorter than that ends the run early.
    pub fn new(workload: &Workload, events: u64, seed: u64) -> Result<Self> {
        let trace = trace_field(workload)?;
        let mut gens = Vec::new();
        for op in 0..workload.ops.len() {
            let mut row = Vec::new();
            for f in 0..workload.fields.len() {
                if trace.as_ref().is_some_and(|t| t.field == f) {
                    row.push(None);
                    continue;
                }
                let g = generator::build(workload.generator_for(op, f)).map_err(|m| {
                    let name = &workload.fields[f].name;
                    Error::Other(format!("{}: field `{name}`: {m}", workload.source))
                })?;
                row.push(Some(g));
            }
            gens.push(row);
        }
        let overridden = (0..workload.fields.len())
            .map(|f| {
                workload
                    .ops
                    .iter()
                    .any(|o| o.overrides.iter().any(|(i, _)| *i == f))
            })
            .collect();
        let op_table = if workload.ops.len() > 1 {
            let weights: Vec<f64> = workload.ops.iter().map(|o| o.weight).collect();
            let table = AliasTable::new(&weights)
                .map_err(|m| Error::Other(format!("{}: op weights: {m}", workload.source)))?;
            Some(table)
        } else {
            None
        };
        let events = match &trace {
            Some(t) => events.min(t.count()?),
            None => events,
        };
        if events == 0 {
            let path = trace
                .as_ref()
                .map(|t| t.path.display().to_string())
                .unwrap_or_default();
            return Err(Error::Other(format!("{path}: the trace holds no keys")));
        }
        Ok(Self {
            gens,
            overridden,
            op_table,
            trace,
            trace_domain: (0, 1),
            seed,
            events,
        })
    }

    /// Number of chunks in the run.
    pub fn chunks(&self) -> u64 {
        self.events.div_ceil(CHUNK)
    }

    /// Events in chunk `chunk`.
    pub fn chunk_len(&self, chunk: u64) -> usize {
        (self.events - chunk * CHUNK).min(CHUNK) as usize
    }

    /// The values field `field` can take over the run, over all ops.
    pub fn domain(&self, field: usize) -> (u64, u64) {
        self.gens
            .iter()
            .fold((u64::MAX, 0), |(lo, hi), row| match &row[field] {
                Some(g) => {
                    let (a, b) = g.domain(self.events);
                    (lo.min(a), hi.max(b))
                }
                None => self.trace_domain,
            })
    }

    /// Fills `batch` with chunk `chunk` of the stream; `trace` carries the
    /// chunk's keys of the trace field, when there is one.
    pub fn fill(&self, chunk: u64, batch: &mut Batch, trace: Option<TraceChunk>) {
        let start = chunk * CHUNK;
        let len = self.chunk_len(chunk);
        let mut rng = Rng::for_chunk(self.seed, Stream::Events, chunk);
        batch.start = start;

        batch.ops.clear();
        match &self.op_table {
            None => batch.ops.resize(len, 0),
            Some(t) => batch.ops.extend((0..len).map(|_| t.sample(&mut rng) as u8)),
        }

        for (f, col) in batch.cols.iter_mut().enumerate() {
            // Every slot is overwritten below; only a length change needs
            // the vector touched.
            col.resize(len, 0);
            if self.gens[0][f].is_none() {
                continue;
            }
            if self.overridden[f] {
                for (i, v) in col.iter_mut().enumerate() {
                    let op = batch.ops[i] as usize;
                    if let Some(g) = &self.gens[op][f] {
                        *v = g.sample(&mut rng, start + i as u64);
                    }
                }
            } else if let Some(g) = &self.gens[0][f] {
                g.fill(&mut rng, start, col);
            }
        }

        if let (Some(t), Some((text, values))) = (&self.trace, trace) {
            batch.cols[t.field] = values;
            batch.cols[t.field].resize(len, 0);
            batch.text[t.field] = Some(text);
        }
    }
}

/// The field replayed from a trace, if any; at most one field may be, and
/// only in `[fields]` (not in an op's overrides).
fn trace_field(workload: &Workload) -> Result<Option<TraceField>> {
    let mut found = None;
    for (f, spec) in workload.fields.iter().enumerate() {
        if let GenSpec::Trace { path, column } = &spec.generator {
            if found.is_some() {
                let msg = format!(
                    "{}: field `{}`: only one field can replay a trace",
                    spec.origin, spec.name
                );
                return Err(Error::Other(msg));
            }
            let base = std::path::Path::new(&workload.source).parent();
            let p = PathBuf::from(path);
            let path = match base {
                Some(dir) if p.is_relative() && !workload.source.starts_with("preset ") => {
                    dir.join(p)
                }
                _ => p,
            };
            found = Some(TraceField {
                field: f,
                path,
                column: column.clone(),
            });
        }
    }
    for op in &workload.ops {
        if let Some((f, _)) = op
            .overrides
            .iter()
            .find(|(_, g)| matches!(g, GenSpec::Trace { .. }))
        {
            let msg = format!(
                "{}: ops.{}.fields.{}: a trace can only be replayed from [fields]",
                workload.source, op.name, workload.fields[*f].name
            );
            return Err(Error::Other(msg));
        }
    }
    Ok(found)
}
