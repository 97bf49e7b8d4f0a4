//! Filling batches with events: op choice and every field's values.
//!
//! Chunk c of the stream is a pure function of (seed, c): its generator is
//! `Rng::for_chunk(seed, Stream::Events, c)`, and the events it holds are
//! `c * CHUNK .. (c + 1) * CHUNK`. That is what lets any thread fill any
//! chunk and still produce the same run.

use crate::batch::Batch;
use crate::error::{Error, Result};
use crate::generator::{self, AliasTable, Generator};
use crate::rng::{Rng, Stream};
use crate::workload::{GenSpec, Workload};

/// Events per chunk: large enough to amortize per-chunk work, small enough
/// that a batch's columns stay in the second-level cache.
pub const CHUNK: u64 = 1 << 14;

/// Builds every op's generators and fills batches.
pub struct EventSource {
    /// `gens[op][field]`.
    gens: Vec<Vec<Box<dyn Generator>>>,
    /// For each field, whether some op overrides its generator.
    overridden: Vec<bool>,
    /// Picks each event's op by weight; `None` when there is one op.
    op_table: Option<AliasTable>,
    seed: u64,
    events: u64,
}

impl EventSource {
    /// The source of `events` events of `workload` under `seed`.
    pub fn new(workload: &Workload, events: u64, seed: u64) -> Result<Self> {
        let mut gens = Vec::new();
        for op in 0..workload.ops.len() {
            let mut row = Vec::new();
            for f in 0..workload.fields.len() {
                let spec = workload.generator_for(op, f);
                if let GenSpec::Trace { path, .. } = spec {
                    let msg = format!(
                        "{}: field `{}` replays the trace {path}; traces are read with \
                         --trace or a trace-capable run, not generated",
                        workload.source, workload.fields[f].name
                    );
                    return Err(Error::Other(msg));
                }
                let g = generator::build(spec).map_err(|m| {
                    Error::Other(format!(
                        "{}: field `{}`: {m}",
                        workload.source, workload.fields[f].name
                    ))
                })?;
                row.push(g);
            }
            gens.push(row);
        }
        let overridden = (0..workload.fields.len())
            .map(|f| workload.ops.iter().any(|o| o.overrides.iter().any(|(i, _)| *i == f)))
            .collect();
        let op_table = if workload.ops.len() > 1 {
            let weights: Vec<f64> = workload.ops.iter().map(|o| o.weight).collect();
            let table = AliasTable::new(&weights)
                .map_err(|m| Error::Other(format!("{}: op weights: {m}", workload.source)))?;
            Some(table)
        } else {
            None
        };
        Ok(Self {
            gens,
            overridden,
            op_table,
            seed,
            events,
        })
    }

    /// Number of chunks in the run.
    pub fn chunks(&self) -> u64 {
        self.events.div_ceil(CHUNK)
    }

    /// The values field `field` can take over the run, over all ops.
    pub fn domain(&self, field: usize) -> (u64, u64) {
        self.gens.iter().fold((u64::MAX, 0), |(lo, hi), row| {
            let (a, b) = row[field].domain(self.events);
            (lo.min(a), hi.max(b))
        })
    }

    /// Fills `batch` with chunk `chunk` of the stream.
    pub fn fill(&self, chunk: u64, batch: &mut Batch) {
        let start = chunk * CHUNK;
        let len = (self.events - start).min(CHUNK) as usize;
        let mut rng = Rng::for_chunk(self.seed, Stream::Events, chunk);
        batch.start = start;

        batch.ops.clear();
        match &self.op_table {
            None => batch.ops.resize(len, 0),
            Some(t) => batch.ops.extend((0..len).map(|_| t.sample(&mut rng) as u8)),
        }

        for (f, col) in batch.cols.iter_mut().enumerate() {
            col.clear();
            col.resize(len, 0);
            if self.overridden[f] {
                for (i, v) in col.iter_mut().enumerate() {
                    let op = batch.ops[i] as usize;
                    *v = self.gens[op][f].sample(&mut rng, start + i as u64);
                }
            } else {
                self.gens[0][f].fill(&mut rng, start, col);
            }
        }
    }
}
