//! Axes and numbers of the charts: ranges, tick positions and the way
//! values are written, on the charts and in the readings.
//!
//! plotters only maps plot coordinates to pixels; which ticks exist and
//! how a log or "nines" axis is labelled is decided here.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

/// One axis in plot coordinates (log10 of the value on a log axis), with
/// its labelled ticks and unlabelled minor grid lines.
#[derive(Clone)]
pub(super) struct Axis {
    /// Lower end, in plot coordinates.
    pub(super) lo: f64,
    /// Upper end, in plot coordinates.
    pub(super) hi: f64,
    /// Labelled ticks, in plot coordinates.
    pub(super) ticks: Vec<f64>,
    /// Unlabelled minor grid lines, in plot coordinates.
    pub(super) minor: Vec<f64>,
    /// Whether plot coordinates are log10 of the values.
    pub(super) log: bool,
}

impl Axis {
    /// A linear axis over [lo, hi] with at most about `max_ticks` ticks at
    /// 1-2-5 steps.
    pub(super) fn linear(lo: f64, hi: f64, max_ticks: usize) -> Axis {
        let hi = if hi > lo { hi } else { lo + 1.0 };
        let step = nice_step(hi - lo, max_ticks);
        let first = (lo / step).ceil() * step;
        // Counted rather than stepped, so a span too small for the
        // magnitude of its ends cannot loop forever.
        let count = (((hi - first) / step + 1e-9).floor() as usize).min(100);
        let ticks = (0..=count)
            .map(|i| first + i as f64 * step)
            .map(|t| if t.abs() < step * 1e-9 { 0.0 } else { t })
            .collect();
        Axis {
            lo,
            hi,
            ticks,
            minor: Vec::new(),
            log: false,
        }
    }

    /// A log axis over the values [lo, hi] (both > 0): ticks at powers of
    /// ten, and at 2 and 5 times them when the range spans under 3.5
    /// decades.
    pub(super) fn log(lo: f64, hi: f64) -> Axis {
        let lo = lo.max(1e-12);
        let hi = if hi > lo { hi } else { lo * 10.0 };
        let (a, b) = (lo.log10(), hi.log10());
        let few_decades = b - a < 3.5;
        let mut ticks = Vec::new();
        let mut minor = Vec::new();
        for e in (a.floor() as i32)..=(b.ceil() as i32) {
            for m in 1..10 {
                let p = (m as f64 * 10f64.powi(e)).log10();
                if p < a - 1e-9 || p > b + 1e-9 {
                    continue;
                }
                if m == 1 || (few_decades && (m == 2 || m == 5)) {
                    ticks.push(p);
                } else {
                    minor.push(p);
                }
            }
        }
        Axis {
            lo: a,
            hi: b,
            ticks,
            minor,
            log: true,
        }
    }

    /// The plot coordinate of a value (values ≤ 0 on a log axis go to the
    /// lower edge).
    pub(super) fn pos(&self, v: f64) -> f64 {
        if self.log {
            if v > 0.0 {
                v.log10().max(self.lo)
            } else {
                self.lo
            }
        } else {
            v
        }
    }

    /// The value at a plot coordinate.
    pub(super) fn value(&self, p: f64) -> f64 {
        if self.log { 10f64.powf(p) } else { p }
    }

    pub(super) fn coord(&self) -> Axis {
        self.clone()
    }
}

/// plotters maps plot coordinates linearly onto pixels and asks the axis
/// where its ticks go.
impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let t = if span > 0.0 {
            (value - self.lo) / span
        } else {
            0.5
        };
        limit.0 + ((limit.1 - limit.0) as f64 * t).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// The 1-2-5 step that splits `span` into at most about `max_ticks` parts.
pub(super) fn nice_step(span: f64, max_ticks: usize) -> f64 {
    let raw = span / max_ticks.max(1) as f64;
    if raw.is_nan() || raw <= 0.0 || raw.is_infinite() {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// An axis of partition indices 0..n: partition i spans [i, i+1), and
/// ticks sit at the centers of a few evenly stepped partitions.
pub(super) fn partition_axis(n: usize) -> Axis {
    let n = n.max(1);
    let step = nice_step(n as f64, 5).max(1.0) as usize;
    let ticks = (0..n).step_by(step).map(|i| i as f64 + 0.5).collect();
    Axis {
        lo: 0.0,
        hi: n as f64,
        ticks,
        minor: Vec::new(),
        log: false,
    }
}

/// An axis of ranks 1..=n: ticks at 1 and at whole 1-2-5 steps.
pub(super) fn rank_axis(n: usize) -> Axis {
    let n = n.max(1);
    let step = nice_step(n as f64, 8).max(1.0).round() as usize;
    let mut ticks = vec![1.0];
    ticks.extend(
        (step..=n)
            .step_by(step)
            .filter(|&r| r > 1)
            .map(|r| r as f64),
    );
    Axis {
        lo: 0.5,
        hi: n as f64 + 0.5,
        ticks,
        minor: Vec::new(),
        log: false,
    }
}

/// The "nines" of percentile `q` (in percent): −log10(1 − q/100), so 90,
/// 99, 99.9 and 99.99 sit at 1, 2, 3 and 4.
pub(super) fn nines(q: f64) -> f64 {
    -(1.0 - q / 100.0).log10()
}

/// Inverse of [`nines`], in percent.
pub(super) fn percentile_at(nines: f64) -> f64 {
    100.0 * (1.0 - 10f64.powf(-nines))
}

/// A count in a few characters: 950, 1.5k, 12k, 3.4M.
pub(crate) fn fmt_count(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    format!("{}{suffix}", fmt_num(x))
}

/// A number with three significant digits and no trailing zeros.
pub(crate) fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return if v > 0.0 {
            "∞".to_string()
        } else {
            "–".to_string()
        };
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if a >= 1000.0 {
        return format!("{v:.0}");
    }
    let digits = (2 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A fraction as a percentage: 31%, 1.6%, 0.05%.
pub(crate) fn fmt_pct(fraction: f64) -> String {
    let p = fraction * 100.0;
    if !p.is_finite() {
        return "–".to_string();
    }
    if p == 0.0 {
        "0%".to_string()
    } else if (99.5..100.0).contains(&p) {
        // Never round a partial move up to "100%".
        format!("{}%", format!("{p:.2}").trim_end_matches('0'))
    } else if p >= 9.95 {
        format!("{p:.0}%")
    } else if p >= 0.995 {
        format!("{p:.1}%")
    } else if p >= 0.01 {
        format!("{p:.2}%")
    } else {
        "<0.01%".to_string()
    }
}

/// A multiple: 1.03×, 19.8×, 250×.
pub(crate) fn fmt_times(v: f64) -> String {
    if !v.is_finite() {
        return "∞×".to_string();
    }
    if v < 10.0 {
        format!("{v:.2}×")
    } else if v < 100.0 {
        format!("{v:.1}×")
    } else {
        format!("{v:.0}×")
    }
}

/// `count` and `noun`, plural unless one: "1 partition", "3 partitions".
pub(super) fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A mean number of partitions: "1 partition", "2.5 partitions".
pub(super) fn partitions(mean: f64) -> String {
    if mean == 1.0 {
        "1 partition".to_string()
    } else {
        format!("{} partitions", fmt_num(mean))
    }
}

/// A percentile label: 0, 50, 90, 99.9, 99.99.
pub(super) fn fmt_percentile(q: f64) -> String {
    let s = format!("{q:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_ticks_are_powers_of_ten_over_wide_ranges() {
        let a = Axis::log(0.5, 2000.0);
        let values: Vec<f64> = a.ticks.iter().map(|&p| a.value(p)).collect();
        let expected = [1.0, 10.0, 100.0, 1000.0];
        assert_eq!(values.len(), expected.len());
        for (v, e) in values.iter().zip(expected) {
            assert!((v - e).abs() < 1e-9 * e);
        }
        let narrow = Axis::log(1.0, 30.0);
        let values: Vec<String> = narrow
            .ticks
            .iter()
            .map(|&p| fmt_num(narrow.value(p)))
            .collect();
        assert_eq!(values, ["1", "2", "5", "10", "20"]);
    }

    #[test]
    fn linear_axis_ticks_are_1_2_5_steps_and_bounded() {
        assert_eq!(
            Axis::linear(0.0, 10.0, 5).ticks,
            [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(Axis::linear(0.0, 0.35, 4).ticks.len(), 4);
        assert!(Axis::linear(1e20, 1e20 + 1.0, 5).ticks.len() <= 101);
    }

    #[test]
    fn nines_put_tail_percentiles_one_apart() {
        for (q, expect) in [(90.0, 1.0), (99.0, 2.0), (99.9, 3.0), (99.99, 4.0)] {
            assert!((nines(q) - expect).abs() < 1e-9);
            assert_eq!(fmt_percentile(percentile_at(expect)), fmt_percentile(q));
        }
        assert_eq!(fmt_percentile(percentile_at(nines(50.0))), "50");
    }

    #[test]
    fn numbers_format_compactly() {
        assert_eq!(fmt_count(1500.0), "1.5k");
        assert_eq!(fmt_count(12_000_000.0), "12M");
        assert_eq!(fmt_num(0.0123), "0.0123");
        assert_eq!(fmt_num(2.0), "2");
        assert_eq!(fmt_pct(0.31), "31%");
        assert_eq!(fmt_pct(0.016), "1.6%");
        assert_eq!(fmt_times(19.84), "19.8×");
        assert_eq!(fmt_num(f64::INFINITY), "∞");
    }

    #[test]
    fn partition_axis_has_few_ticks_for_many_partitions() {
        assert_eq!(partition_axis(1).ticks, [0.5]);
        assert_eq!(partition_axis(4).ticks.len(), 4);
        assert!(partition_axis(1024).ticks.len() <= 6);
    }
}
