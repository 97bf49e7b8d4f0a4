//! The CSV result files: summary, partitions, fan-out, latency, throughput.
//!
//! Numbers are written with fixed precision so that two runs of the same
//! configuration give the same bytes; `throughput.csv` holds the only
//! timings and is the one file allowed to differ between runs.

use crate::error::{Error, Result};
use crate::report::RunReport;

/// A float with six decimals; `saturated` for a queue that grows without
/// bound, where a latency would only say how long the simulation ran.
pub fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.6}")
    } else if x.is_infinite() && x > 0.0 {
        "inf".to_string()
    } else {
        "saturated".to_string()
    }
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner()
        .map_err(|e| Error::Other(format!("writing CSV: {e}")))
}

fn wr<T: AsRef<[u8]>>(w: &mut csv::Writer<Vec<u8>>, row: &[T]) -> Result<()> {
    w.write_record(row)
        .map_err(|e| Error::Other(format!("writing CSV: {e}")))
}

/// `summary.csv`: one row per strategy.
pub fn summary(r: &RunReport) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    wr(
        &mut w,
        &[
            "strategy",
            "partitions",
            "events",
            "max_over_mean",
            "min_over_mean",
            "cov",
            "gini",
            "hottest_partition_share",
            "hottest_key_share",
            "moved_keys_fraction_add",
            "moved_traffic_fraction_add",
            "moved_keys_fraction_remove",
            "moved_traffic_fraction_remove",
            "ideal_moved_fraction_add",
            "ideal_moved_fraction_remove",
            "label",
            "operations",
            "storage_max_over_mean",
            "storage_cov",
            "write_amplification",
            "write_amplification_hybrid",
            "p99_ms",
            "headroom",
            "saturated_partitions",
            "hottest_utilization",
            "mean_partitions_per_query",
            "write_max_over_mean",
            "write_cov",
        ],
    )?;
    for s in &r.strategies {
        let b = &s.balance;
        let m = &s.movement;
        let (amp, amp_h) = match &s.amplification {
            Some(a) => (num(a.on_write), num(a.hybrid)),
            None => (String::new(), String::new()),
        };
        let (p99, headroom, saturated, util) = match &s.latency {
            Some(l) => {
                let p99 = if l.all.saturated {
                    f64::NAN
                } else {
                    l.all.p99_ms
                };
                (
                    num(p99),
                    num(l.headroom),
                    l.saturated_partitions.to_string(),
                    num(l.hottest_utilization),
                )
            }
            None => Default::default(),
        };
        let ops: u64 = s.load.iter().sum();
        wr(
            &mut w,
            &[
                s.name.clone(),
                s.partitions.to_string(),
                s.events.to_string(),
                num(b.max_over_mean),
                num(b.min_over_mean),
                num(b.cov),
                num(b.gini),
                num(b.max_share),
                num(s.hottest_key_share),
                num(m.keys_add),
                num(m.traffic_add),
                num(m.keys_remove),
                num(m.traffic_remove),
                num(m.ideal_add),
                num(m.ideal_remove),
                s.label.clone(),
                ops.to_string(),
                num(s.key_balance.max_over_mean),
                num(s.key_balance.cov),
                amp,
                amp_h,
                p99,
                headroom,
                saturated,
                util,
                num(s.mean_fanout),
                num(s.write_balance.max_over_mean),
                num(s.write_balance.cov),
            ],
        )?;
    }
    finish(w)
}

/// `partitions.csv`: traffic and storage of every partition.
pub fn partitions(r: &RunReport) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    wr(&mut w, &["strategy", "partition", "events", "keys"])?;
    for s in &r.strategies {
        for (p, (load, keys)) in s.load.iter().zip(&s.keys).enumerate() {
            let row = [
                s.name.clone(),
                p.to_string(),
                load.to_string(),
                keys.to_string(),
            ];
            wr(&mut w, &row)?;
        }
    }
    finish(w)
}

/// `fanout.csv`: partitions touched per query class.
pub fn fanout(r: &RunReport) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    wr(
        &mut w,
        &["strategy", "query", "mean_partitions", "max_partitions"],
    )?;
    for s in &r.strategies {
        for q in &s.fanout {
            let row = [
                s.name.clone(),
                q.query.clone(),
                num(q.mean_partitions),
                q.max_partitions.to_string(),
            ];
            wr(&mut w, &row)?;
        }
    }
    finish(w)
}

/// `latency.csv`: percentiles over all queries and per partition.
pub fn latency(r: &RunReport) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    wr(
        &mut w,
        &[
            "strategy",
            "scope",
            "p50_ms",
            "p90_ms",
            "p99_ms",
            "p999_ms",
            "max_ms",
            "utilization",
        ],
    )?;
    for s in &r.strategies {
        let Some(l) = &s.latency else { continue };
        let scopes = std::iter::once(("all".to_string(), &l.all)).chain(
            l.partitions
                .iter()
                .enumerate()
                .map(|(i, p)| (i.to_string(), p)),
        );
        for (scope, p) in scopes {
            let v = |x: f64| {
                if p.saturated {
                    "saturated".to_string()
                } else {
                    num(x)
                }
            };
            let row = [
                s.name.clone(),
                scope,
                v(p.p50_ms),
                v(p.p90_ms),
                v(p.p99_ms),
                v(p.p999_ms),
                v(p.max_ms),
                num(p.utilization),
            ];
            wr(&mut w, &row)?;
        }
    }
    finish(w)
}

/// `throughput.csv`: routing speed per strategy (timings: differs per run).
pub fn throughput(r: &RunReport) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    wr(
        &mut w,
        &[
            "strategy",
            "events",
            "threads",
            "events_per_sec",
            "run_seconds",
        ],
    )?;
    for s in &r.strategies {
        let row = [
            s.name.clone(),
            s.events.to_string(),
            r.threads.to_string(),
            format!("{:.0}", s.events_per_sec),
            format!("{:.3}", r.elapsed_sec),
        ];
        wr(&mut w, &row)?;
    }
    finish(w)
}
