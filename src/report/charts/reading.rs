//! Readings: one plain sentence per chart, computed from the numbers the
//! chart draws, for its caption in the HTML report.
//!
//! Every function here expects at least one strategy; the caller says so
//! when there is none.

use super::axis::{fmt_num, fmt_pct, fmt_times, partitions, plural};
use super::{ideal_move, read_fanout, top_share, top_tenth};
use crate::report::{RunReport, StrategyReport};

/// The first strategy with the largest `key`.
fn max_by(report: &RunReport, key: impl Fn(&StrategyReport) -> f64) -> &StrategyReport {
    let mut best = &report.strategies[0];
    for s in &report.strategies[1..] {
        if key(s) > key(best) {
            best = s;
        }
    }
    best
}

/// The first strategy with the smallest `key`.
fn min_by(report: &RunReport, key: impl Fn(&StrategyReport) -> f64) -> &StrategyReport {
    max_by(report, |s| -key(s))
}

pub(super) fn reading_load(report: &RunReport) -> String {
    let worst = max_by(report, |s| s.balance.max_share);
    if worst.balance.max_share == 0.0 {
        return "No traffic was routed.".to_string();
    }
    let mut r = format!(
        "{}: the hottest of {} partitions carries {} of traffic ({} the mean)",
        worst.label,
        worst.load.len(),
        fmt_pct(worst.balance.max_share),
        fmt_times(worst.balance.max_over_mean)
    );
    if let Some(l) = &worst.latency {
        if l.headroom.is_finite() && l.headroom > 0.0 {
            let just = if l.headroom < 1.0 { "just " } else { "" };
            r += &format!(
                " and saturates at {just}{} the offered traffic",
                fmt_times(l.headroom)
            );
        }
        if l.saturated_partitions > 0 {
            r += &format!(
                " ({} over capacity)",
                plural(l.saturated_partitions.into(), "partition")
            );
        }
    }
    let best = min_by(report, |s| s.balance.max_over_mean);
    if !std::ptr::eq(best, worst) {
        r += &format!(
            "; {} keeps its hottest partition at {} the mean",
            best.label,
            fmt_times(best.balance.max_over_mean)
        );
    }
    r + "."
}

pub(super) fn reading_load_sorted(report: &RunReport) -> String {
    let n = report
        .strategies
        .iter()
        .map(|s| s.load.len())
        .max()
        .unwrap_or(0);
    if n <= 1 {
        return "With one partition, all traffic lands on it.".to_string();
    }
    let top = top_tenth(n);
    let share = |s: &StrategyReport| top_share(&s.load, top);
    let worst = max_by(report, share);
    let best = min_by(report, share);
    let which = if top == 1 {
        format!("The hottest of {n} partitions carries")
    } else {
        format!("The hottest {top} of {n} partitions carry")
    };
    let mut r = format!(
        "{which} {} of traffic under {}",
        fmt_pct(share(worst)),
        worst.label
    );
    if !std::ptr::eq(best, worst) {
        r += &format!(" and {} under {}", fmt_pct(share(best)), best.label);
    }
    r + &format!("; an even spread gives {}.", fmt_pct(top as f64 / n as f64))
}

pub(super) fn reading_storage(report: &RunReport) -> String {
    let worst = max_by(report, |s| s.key_balance.max_share);
    if worst.key_balance.max_share == 0.0 {
        return "No keys were stored.".to_string();
    }
    let mut r = format!(
        "{}: the fullest of {} partitions stores {} of keys ({} the mean)",
        worst.label,
        worst.keys.len(),
        fmt_pct(worst.key_balance.max_share),
        fmt_times(worst.key_balance.max_over_mean)
    );
    let best = min_by(report, |s| s.key_balance.max_over_mean);
    if !std::ptr::eq(best, worst) {
        r += &format!(
            "; {} keeps its fullest at {} the mean",
            best.label,
            fmt_times(best.key_balance.max_over_mean)
        );
    }
    r + "."
}

pub(super) fn reading_latency(report: &RunReport) -> String {
    let with: Vec<&StrategyReport> = report
        .strategies
        .iter()
        .filter(|s| s.latency.is_some())
        .collect();
    if with.is_empty() {
        return "This run has no latency results.".to_string();
    }
    let saturated = |s: &StrategyReport| {
        s.latency
            .as_ref()
            .is_some_and(|l| l.saturated_partitions > 0 || l.all.saturated)
    };
    let p99 = |s: &StrategyReport| s.latency.as_ref().map_or(f64::NAN, |l| l.all.p99_ms);
    let mut ok: Vec<&StrategyReport> = with
        .iter()
        .copied()
        .filter(|s| !saturated(s) && p99(s).is_finite())
        .collect();
    ok.sort_by(|a, b| p99(a).total_cmp(&p99(b)));
    let sat: Vec<&str> = with
        .iter()
        .filter(|s| saturated(s))
        .map(|s| s.label.as_str())
        .collect();

    let mut r = match ok.as_slice() {
        [] => String::new(),
        [one] => format!("{} has p99 latency {} ms", one.label, fmt_num(p99(one))),
        [best, .., worst] => format!(
            "p99 latency ranges from {} ms ({}) to {} ms ({})",
            fmt_num(p99(best)),
            best.label,
            fmt_num(p99(worst)),
            worst.label
        ),
    };
    if !sat.is_empty() {
        let verb = if sat.len() == 1 {
            "saturates"
        } else {
            "saturate"
        };
        let clause = format!(
            "{} {verb}: a partition at utilization ≥ 1 queues without bound",
            sat.join(", ")
        );
        r = if r.is_empty() {
            clause
        } else {
            format!("{r}; {clause}")
        };
    }
    r + "."
}

pub(super) fn reading_tradeoff(report: &RunReport) -> String {
    let with: Vec<(&StrategyReport, f64)> = report
        .strategies
        .iter()
        .filter_map(|s| read_fanout(s).map(|f| (s, f)))
        .collect();
    if with.is_empty() {
        return "No query fan-out was recorded, so there is no trade-off to draw.".to_string();
    }
    let mut balanced = with[0];
    let mut narrow = with[0];
    for &(s, f) in &with[1..] {
        if s.balance.max_over_mean < balanced.0.balance.max_over_mean {
            balanced = (s, f);
        }
        if f < narrow.1 {
            narrow = (s, f);
        }
    }
    if std::ptr::eq(balanced.0, narrow.0) {
        return format!(
            "{} is best on both counts: hottest partition at {} the mean, {} per query.",
            balanced.0.label,
            fmt_times(balanced.0.balance.max_over_mean),
            partitions(balanced.1)
        );
    }
    format!(
        "{} spreads traffic most evenly (hottest partition at {} the mean) but its queries \
         touch {} each; {}'s touch {} but its hottest partition is at {} the mean.",
        balanced.0.label,
        fmt_times(balanced.0.balance.max_over_mean),
        partitions(balanced.1),
        narrow.0.label,
        partitions(narrow.1),
        fmt_times(narrow.0.balance.max_over_mean)
    )
}

pub(super) fn reading_movement(report: &RunReport) -> String {
    let ideal = ideal_move(report);
    let n = report.partitions;
    let best = min_by(report, |s| s.movement.keys_add);
    let worst = max_by(report, |s| s.movement.keys_add);
    let moved = best.movement.keys_add;
    let versus = if ideal > 0.0 && (moved - ideal).abs() <= 0.1 * ideal {
        ", the ideal".to_string()
    } else if ideal > 0.0 {
        format!(
            " ({} the ideal {})",
            fmt_times(moved / ideal),
            fmt_pct(ideal)
        )
    } else {
        String::new()
    };
    let mut r = format!(
        "{} moves {} of keys on {n}→{} partitions{versus}",
        best.label,
        fmt_pct(moved),
        u64::from(n) + 1
    );
    if !std::ptr::eq(best, worst) {
        r += &format!(
            "; {} moves {}",
            worst.label,
            fmt_pct(worst.movement.keys_add)
        );
    }
    r + "."
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::synthetic;

    #[test]
    fn movement_reading_names_best_and_worst_against_ideal() {
        let report = synthetic(2, 64, false);
        assert_eq!(
            reading_movement(&report),
            "range(user1) moves 1.5% of keys on 64→65 partitions, the ideal; \
             hash(user0) moves 98%."
        );
    }

    #[test]
    fn load_reading_names_hot_partition_share_and_headroom() {
        let report = synthetic(3, 10, true);
        let hot = &report.strategies[0];
        let r = reading_load(&report);
        assert!(
            r.starts_with(&format!(
                "hash(user0): the hottest of 10 partitions carries {} of traffic",
                fmt_pct(hot.balance.max_share)
            )),
            "{r}"
        );
        assert!(r.contains("saturates at"), "{r}");
    }
}
