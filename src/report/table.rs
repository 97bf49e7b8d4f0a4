//! The table printed on stdout: one row per strategy.

use crate::report::RunReport;

/// Renders the run as an aligned text table with a one-line heading.
pub fn render(r: &RunReport) -> String {
    let head = [
        "strategy", "key", "N", "max/mean", "CoV", "Gini", "hot part", "hot key", "fan-out",
        "moved+1", "p99 ms", "headroom", "Mev/s",
    ];
    let mut rows: Vec<Vec<String>> = vec![head.iter().map(|s| s.to_string()).collect()];
    for s in &r.strategies {
        let b = &s.balance;
        let fan = s.mean_fanout;
        let (p99, headroom) = match &s.latency {
            Some(l) if l.all.saturated => ("saturated".to_string(), format!("{:.2}x", l.headroom)),
            Some(l) => (
                format!("{:.3}", l.all.p99_ms),
                format!("{:.2}x", l.headroom),
            ),
            None => ("-".to_string(), "-".to_string()),
        };
        rows.push(vec![
            s.name.clone(),
            s.label.clone(),
            s.partitions.to_string(),
            format!("{:.2}", b.max_over_mean),
            format!("{:.3}", b.cov),
            format!("{:.3}", b.gini),
            format!("{:.2}%", 100.0 * b.max_share),
            format!("{:.2}%", 100.0 * s.hottest_key_share),
            format!("{fan:.2}"),
            format!("{:.1}%", 100.0 * s.movement.keys_add),
            p99,
            headroom,
            format!("{:.1}", s.events_per_sec / 1e6),
        ]);
    }
    let widths: Vec<usize> = (0..head.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!(
        "{}: {} events, {} partitions, seed {}, traffic {}x (ideal movement on +1: {:.1}%)\n",
        r.workload,
        r.events,
        r.partitions,
        r.seed,
        r.traffic,
        100.0 / (r.partitions as f64 + 1.0)
    );
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if c < 2 {
                    format!("{v:<w$}", w = widths[c])
                } else {
                    format!("{v:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    if let Some(a) = r.strategies.iter().find_map(|s| s.amplification) {
        out.push_str(&format!(
            "fan-out: {:.1} writes per post on write, {:.1} with celebrities fanned out on read\n",
            a.on_write, a.hybrid
        ));
    }
    out
}
