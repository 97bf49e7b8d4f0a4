//! Charts of a run, drawn from a [`RunReport`] as PNG and SVG.
//!
//! [`write_charts`] writes `NAME.png` and `NAME.svg` for each chart into a
//! folder and returns a [`Chart`] per pair, with a one-sentence reading
//! computed from the same numbers; the HTML report inlines them. Text is
//! drawn with the bundled DejaVu Sans (`assets/`) through plotters' pure-Rust
//! glyph renderer, so rendering needs no system font library.
//!
//! Every chart keeps one color per strategy, in workload order, and stays
//! readable from 1 to a few thousand partitions: bars turn into a filled
//! profile once they would be thinner than a few pixels, and partition
//! axes carry a handful of ticks, not one per partition.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ab_glyph::FontRef;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{RunReport, StrategyReport};
use crate::{Error, Result};

mod axis;
mod png;
mod reading;

use axis::{Axis, fmt_percentile, nines, partition_axis, percentile_at, plural, rank_axis};
pub(crate) use axis::{fmt_count, fmt_num, fmt_pct, fmt_times};
use png::PngBackend;
use reading::{
    reading_latency, reading_load, reading_load_sorted, reading_movement, reading_storage,
    reading_tradeoff,
};

/// One chart written by [`write_charts`].
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// File stem, such as `load`.
    pub name: &'static str,
    /// The title drawn on the chart.
    pub title: String,
    /// The PNG file.
    pub png: PathBuf,
    /// The SVG file, beside the PNG.
    pub svg: PathBuf,
    /// One plain sentence saying what the chart shows for this run.
    pub reading: String,
}

/// Writes every chart of `report` into `dir` (created if missing) as PNG
/// and SVG, and returns them in a fixed order: load, load_sorted, storage,
/// latency, tradeoff, movement.
pub fn write_charts(report: &RunReport, dir: &Path) -> Result<Vec<Chart>> {
    write_charts_scaled(report, dir, 1.0)
}

/// [`write_charts`] with every pixel size multiplied by `scale` (tests
/// draw small images to stay fast).
pub(super) fn write_charts_scaled(
    report: &RunReport,
    dir: &Path,
    scale: f64,
) -> Result<Vec<Chart>> {
    let font = font()?;
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let theme = Theme { scale };
    let mut charts = Vec::with_capacity(Kind::ALL.len());
    for kind in Kind::ALL {
        let (png, svg) = render(kind, report, dir, &theme, font)?;
        charts.push(Chart {
            name: kind.name(),
            title: kind.title(report),
            png,
            svg,
            reading: kind.reading(report),
        });
    }
    Ok(charts)
}

/// Load a partition of `s` can take before it saturates, in the units of
/// `load` (operations served in the run).
///
/// Partition p serves load_p at utilization ρ_p, so it would serve
/// load_p / ρ_p at ρ = 1. The capacity is the median of that over the
/// partitions with ρ_p > 0: with one service model the values agree, and
/// the median ignores the odd partition whose operations cost more.
/// `None` without latency results or without traffic.
pub fn capacity_load(s: &StrategyReport) -> Option<f64> {
    let latency = s.latency.as_ref()?;
    let mut at_saturation: Vec<f64> = s
        .load
        .iter()
        .zip(&latency.partitions)
        .filter(|(load, p)| **load > 0 && p.utilization > 0.0 && p.utilization.is_finite())
        .map(|(&load, p)| load as f64 / p.utilization)
        .collect();
    if at_saturation.is_empty() {
        return None;
    }
    at_saturation.sort_by(f64::total_cmp);
    let mid = at_saturation.len() / 2;
    Some(if at_saturation.len() % 2 == 1 {
        at_saturation[mid]
    } else {
        (at_saturation[mid - 1] + at_saturation[mid]) / 2.0
    })
}

/// Fan-out of `s`: the partitions touched per query, averaged over every
/// query of the workload's mix (`mean_fanout`), so a scatter-gather query
/// weighs by how often it runs. `None` when no query was recorded.
pub fn read_fanout(s: &StrategyReport) -> Option<f64> {
    (s.mean_fanout.is_finite() && s.mean_fanout > 0.0).then_some(s.mean_fanout)
}

/// Share of the total held by the `top` largest counts.
fn top_share(counts: &[u64], top: usize) -> f64 {
    let total: u128 = counts.iter().map(|&c| c as u128).sum();
    if total == 0 {
        return 0.0;
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let top_sum: u128 = sorted.iter().take(top).map(|&c| c as u128).sum();
    top_sum as f64 / total as f64
}

/// How many partitions make up "the hottest tenth": ⌈N/10⌉.
fn top_tenth(n: usize) -> usize {
    n.div_ceil(10).max(1)
}

/// The least possible fraction of keys moved on N → N+1: 1/(N+1).
fn ideal_move(report: &RunReport) -> f64 {
    if report.partitions > 0 {
        1.0 / (report.partitions as f64 + 1.0)
    } else {
        report
            .strategies
            .first()
            .map_or(0.0, |s| s.movement.ideal_add)
    }
}

// ---------------------------------------------------------------------------
// Font, sizes, colors.

/// The family name the bundled font is registered under.
const FONT: &str = "sans-serif";

/// DejaVu Sans; its license is in `assets/DejaVuSans-LICENSE.txt`.
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the bundled font with plotters (for layout and SVG text) and
/// parses it for [`PngBackend`], once per process.
fn font() -> Result<&'static FontRef<'static>> {
    static FONT_REF: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT_REF
        .get_or_init(|| {
            let registered = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
            registered
                .ok()
                .and(FontRef::try_from_slice(FONT_BYTES).ok())
        })
        .as_ref()
        .ok_or_else(|| {
            Error::Other("the chart font bundled in the binary could not be loaded".to_string())
        })
}

/// Categorical colors, one per strategy in workload order (the ten of
/// matplotlib's `tab10`); more strategies reuse them in turn.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The color of strategy `i`.
fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Text and reference lines.
const INK: RGBColor = RGBColor(34, 34, 34);
const MUTED: RGBColor = RGBColor(96, 96, 96);
const MEAN_COLOR: RGBColor = RGBColor(70, 70, 70);
const CAPACITY_COLOR: RGBColor = RGBColor(0, 0, 0);

/// Pixel sizes of one rendering, all proportional to `scale`.
struct Theme {
    scale: f64,
}

impl Theme {
    fn px(&self, v: f64) -> i32 {
        (v * self.scale).round().max(1.0) as i32
    }

    fn upx(&self, v: f64) -> u32 {
        self.px(v) as u32
    }

    fn font(&self, size: f64, color: RGBColor) -> TextStyle<'static> {
        (FONT, (size * self.scale).max(6.0))
            .into_font()
            .color(&color)
    }

    fn title(&self) -> TextStyle<'static> {
        self.font(24.0, INK)
    }

    fn subtitle(&self) -> TextStyle<'static> {
        self.font(15.0, MUTED)
    }

    fn heading(&self) -> TextStyle<'static> {
        self.font(15.0, INK)
    }

    fn axis(&self) -> TextStyle<'static> {
        self.font(14.0, INK)
    }

    fn tick(&self) -> TextStyle<'static> {
        self.font(12.5, MUTED)
    }

    fn legend(&self) -> TextStyle<'static> {
        self.font(14.0, INK)
    }

    fn stroke(&self, w: f64) -> u32 {
        self.upx(w)
    }
}

// ---------------------------------------------------------------------------
// The charts.

/// The charts, in the order they are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Load,
    LoadSorted,
    Storage,
    Latency,
    Tradeoff,
    Movement,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::Load,
        Kind::LoadSorted,
        Kind::Storage,
        Kind::Latency,
        Kind::Tradeoff,
        Kind::Movement,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Load => "load",
            Kind::LoadSorted => "load_sorted",
            Kind::Storage => "storage",
            Kind::Latency => "latency",
            Kind::Tradeoff => "tradeoff",
            Kind::Movement => "movement",
        }
    }

    fn title(self, report: &RunReport) -> String {
        let n = report.partitions;
        let of_n = plural(n.into(), "partition");
        match self {
            Kind::Load => format!("Traffic per partition ({of_n})"),
            Kind::LoadSorted => format!("Partitions sorted by traffic ({of_n})"),
            Kind::Storage => format!("Keys stored per partition ({of_n})"),
            Kind::Latency => "Request latency by percentile".to_string(),
            Kind::Tradeoff => "Balance against query fan-out".to_string(),
            Kind::Movement => format!(
                "Keys moved when adding a partition ({n} → {})",
                u64::from(n) + 1
            ),
        }
    }

    fn reading(self, report: &RunReport) -> String {
        if report.strategies.is_empty() {
            return "The run has no strategies.".to_string();
        }
        match self {
            Kind::Load => reading_load(report),
            Kind::LoadSorted => reading_load_sorted(report),
            Kind::Storage => reading_storage(report),
            Kind::Latency => reading_latency(report),
            Kind::Tradeoff => reading_tradeoff(report),
            Kind::Movement => reading_movement(report),
        }
    }

    /// Canvas size in pixels: single charts are 1200 × 750; small
    /// multiples grow with the grid, the bar chart with the strategies.
    fn canvas(self, report: &RunReport, th: &Theme) -> (u32, u32) {
        let k = report.strategies.len().max(1);
        match self {
            Kind::Load | Kind::Storage => {
                let (rows, cols) = grid(k);
                let w = (cols as f64 * 440.0).max(900.0);
                let h = 120.0 + rows as f64 * 300.0;
                (th.upx(w), th.upx(h))
            }
            Kind::Movement => (th.upx(1200.0), th.upx((190.0 + 44.0 * k as f64).max(420.0))),
            _ => (th.upx(1200.0), th.upx(750.0)),
        }
    }
}

/// Rows and columns of the small-multiples grid for `k` panels: one row up
/// to three, then the smallest square that holds them.
fn grid(k: usize) -> (usize, usize) {
    let cols = if k <= 3 {
        k.max(1)
    } else {
        (k as f64).sqrt().ceil() as usize
    };
    (k.div_ceil(cols), cols)
}

type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Draws `kind` twice, to PNG and to SVG, each written atomically.
fn render(
    kind: Kind,
    report: &RunReport,
    dir: &Path,
    th: &Theme,
    font: &'static FontRef<'static>,
) -> Result<(PathBuf, PathBuf)> {
    let (w, h) = kind.canvas(report, th);
    let png = dir.join(format!("{}.png", kind.name()));
    let svg = dir.join(format!("{}.svg", kind.name()));
    let failed = |path: &Path, e: &dyn std::fmt::Display| {
        Error::Other(format!("{}: drawing the chart failed: {e}", path.display()))
    };

    // The bitmap backend picks the encoder from the extension, so the
    // partial file keeps `.png`.
    let partial = dir.join(format!(".{}.partial.png", kind.name()));
    let drawn = {
        let inner = BitMapBackend::new(&partial, (w, h));
        let root = PngBackend { inner, font }.into_drawing_area();
        draw(kind, report, &root, th).and_then(|()| root.present())
    };
    if let Err(e) = drawn {
        // Best effort: the error that matters is the drawing's.
        let _ = fs::remove_file(&partial);
        return Err(failed(&png, &e));
    }
    fs::rename(&partial, &png).map_err(|e| Error::io(&png, e))?;

    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
        draw(kind, report, &root, th).map_err(|e| failed(&svg, &e))?;
        root.present().map_err(|e| failed(&svg, &e))?;
    }
    write_atomic(&svg, text.as_bytes())?;
    Ok((png, svg))
}

/// Writes `bytes` to a sibling temporary file, then renames it over `path`,
/// so a reader never sees a half-written file.
pub(super) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map_or_else(|| "chart".into(), |n| n.to_string_lossy().into_owned());
    let partial = path.with_file_name(format!(".{name}.partial"));
    fs::write(&partial, bytes).map_err(|e| Error::io(&partial, e))?;
    fs::rename(&partial, path).map_err(|e| Error::io(path, e))
}

fn draw<DB: DrawingBackend>(
    kind: Kind,
    report: &RunReport,
    root: &DrawingArea<DB, Shift>,
    th: &Theme,
) -> Drawn<DB> {
    let title = kind.title(report);
    if report.strategies.is_empty() {
        let body = header(root, th, &title, "")?;
        return message(&body, th, "No strategies in this run.");
    }
    match kind {
        Kind::Load => draw_multiples(report, root, th, &title, Counted::Load),
        Kind::Storage => draw_multiples(report, root, th, &title, Counted::Keys),
        Kind::LoadSorted => draw_load_sorted(report, root, th, &title),
        Kind::Latency => draw_latency(report, root, th, &title),
        Kind::Tradeoff => draw_tradeoff(report, root, th, &title),
        Kind::Movement => draw_movement(report, root, th, &title),
    }
}

/// Fills the canvas, draws the title and an optional subtitle line, and
/// returns the area below them.
fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    th: &Theme,
    title: &str,
    subtitle: &str,
) -> std::result::Result<
    DrawingArea<DB, Shift>,
    DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>,
> {
    root.fill(&WHITE)?;
    let area = root.margin(th.px(14.0), th.px(10.0), th.px(18.0), th.px(18.0));
    let top_left = Pos::new(HPos::Left, VPos::Top);
    area.draw_text(title, &th.title().pos(top_left), (0, 0))?;
    let mut used = th.px(36.0);
    if !subtitle.is_empty() {
        let width = area.dim_in_pixel().0;
        let line = fit(&area, subtitle, &th.subtitle(), width)?;
        area.draw_text(&line, &th.subtitle().pos(top_left), (0, used))?;
        used += th.px(24.0);
    }
    Ok(area.split_vertically(used + th.px(4.0)).1)
}

/// A centered note in place of a chart that has nothing to show.
fn message<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, th: &Theme, text: &str) -> Drawn<DB> {
    let (w, h) = area.dim_in_pixel();
    let style = th
        .font(20.0, MUTED)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(text, &style, (w as i32 / 2, h as i32 / 2))
}

/// `text`, shortened with an ellipsis until it fits in `max_width` pixels.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_width: u32,
) -> std::result::Result<String, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>> {
    if area.estimate_text_size(text, style)?.0 <= max_width {
        return Ok(text.to_string());
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>() + "…";
        if area.estimate_text_size(&candidate, style)?.0 <= max_width {
            return Ok(candidate);
        }
    }
    Ok(String::new())
}

/// How a legend entry shows its series.
#[derive(Clone, Copy)]
enum Swatch {
    Bar(RGBColor),
    Line(RGBColor),
    Dashed(RGBColor),
    Dot(RGBColor),
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    swatch: Swatch,
    (x, y): (i32, i32),
) -> Drawn<DB> {
    let w = th.px(26.0);
    match swatch {
        Swatch::Bar(c) => area.draw(&Rectangle::new(
            [(x, y - th.px(6.0)), (x + w, y + th.px(6.0))],
            c.filled(),
        )),
        Swatch::Line(c) => area.draw(&PathElement::new(
            vec![(x, y), (x + w, y)],
            c.stroke_width(th.stroke(3.0)),
        )),
        Swatch::Dashed(c) => {
            let dash = w / 4;
            for i in 0..3 {
                let x0 = x + i * (dash + dash / 2);
                area.draw(&PathElement::new(
                    vec![(x0, y), (x0 + dash, y)],
                    c.stroke_width(th.stroke(2.5)),
                ))?;
            }
            Ok(())
        }
        Swatch::Dot(c) => area.draw(&Circle::new((x + w / 2, y), th.px(6.0), c.filled())),
    }
}

/// A legend as a column of entries, each label shortened to fit.
fn legend_column<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    entries: &[(Swatch, String)],
) -> Drawn<DB> {
    let (w, _) = area.dim_in_pixel();
    let text_x = th.px(36.0);
    let row = th.px(26.0);
    let style = th.legend().pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (swatch, label)) in entries.iter().enumerate() {
        let y = th.px(14.0) + i as i32 * row;
        draw_swatch(area, th, *swatch, (0, y))?;
        let room = w.saturating_sub(text_x as u32);
        let label = fit(area, label, &style, room)?;
        area.draw_text(&label, &style, (text_x, y))?;
    }
    Ok(())
}

/// A legend as one row of entries, left to right.
fn legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    entries: &[(Swatch, String)],
) -> Drawn<DB> {
    let style = th.legend().pos(Pos::new(HPos::Left, VPos::Center));
    let y = th.px(12.0);
    let mut x = 0;
    for (swatch, label) in entries {
        draw_swatch(area, th, *swatch, (x, y))?;
        x += th.px(34.0);
        area.draw_text(label, &style, (x, y))?;
        x += area.estimate_text_size(label, &style)?.0 as i32 + th.px(30.0);
    }
    Ok(())
}

/// Width of a right-hand legend column that fits `entries`, between 18%
/// and 36% of `total`.
fn legend_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    entries: &[(Swatch, String)],
    total: u32,
) -> std::result::Result<u32, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>> {
    let mut widest = 0;
    for (_, label) in entries {
        widest = widest.max(area.estimate_text_size(label, &th.legend())?.0);
    }
    let want = widest + th.upx(50.0);
    Ok(want.clamp(total * 18 / 100, total * 36 / 100))
}

/// Applies the common look to a chart's mesh.
macro_rules! mesh {
    ($chart:expr, $th:expr, $x_desc:expr, $y_desc:expr, $xf:expr, $yf:expr) => {
        $chart
            .configure_mesh()
            .x_desc($x_desc)
            .y_desc($y_desc)
            .x_label_formatter($xf)
            .y_label_formatter($yf)
            .label_style($th.tick())
            .axis_desc_style($th.axis())
            .bold_line_style(RGBColor(0, 0, 0).mix(0.14))
            .light_line_style(RGBColor(0, 0, 0).mix(0.05))
            .axis_style(RGBColor(0, 0, 0).mix(0.5))
    };
}

// ---------------------------------------------------------------------------
// load.png and storage.png: one panel per strategy, one shared y scale.

#[derive(Clone, Copy, PartialEq)]
enum Counted {
    Load,
    Keys,
}

impl Counted {
    fn of(self, s: &StrategyReport) -> &[u64] {
        match self {
            Counted::Load => &s.load,
            Counted::Keys => &s.keys,
        }
    }
}

fn draw_multiples<DB: DrawingBackend>(
    report: &RunReport,
    root: &DrawingArea<DB, Shift>,
    th: &Theme,
    title: &str,
    counted: Counted,
) -> Drawn<DB> {
    let strategies = &report.strategies;
    let subtitle = match counted {
        Counted::Load => {
            "operations served by each partition, fan-out included; one panel per strategy, same y scale"
        }
        Counted::Keys => {
            "distinct keys stored on each partition; one panel per strategy, same y scale"
        }
    };
    let body = header(root, th, title, subtitle)?;

    let capacities: Vec<Option<f64>> = strategies
        .iter()
        .map(|s| match counted {
            Counted::Load => capacity_load(s),
            Counted::Keys => None,
        })
        .collect();
    let max_count = strategies
        .iter()
        .flat_map(|s| counted.of(s).iter())
        .copied()
        .max()
        .unwrap_or(0) as f64;
    // A capacity far above the bars would flatten them: it widens the scale
    // only when it is within twice the largest count, and is otherwise noted
    // in a band left free at the top.
    let mut top = max_count;
    let mut off_scale = false;
    for &cap in capacities.iter().flatten() {
        if cap <= 2.0 * max_count {
            top = top.max(cap);
        } else {
            off_scale = true;
        }
    }
    let headroom = if off_scale { 1.25 } else { 1.08 };
    let y = Axis::linear(0.0, if top > 0.0 { top * headroom } else { 1.0 }, 5);

    let (key, grid_area) = body.split_vertically(th.px(30.0));
    let mut entries = vec![(Swatch::Line(MEAN_COLOR), "mean of the strategy".to_string())];
    if capacities.iter().any(Option::is_some) {
        entries.push((
            Swatch::Dashed(CAPACITY_COLOR),
            "capacity: load at utilization 1 (median over partitions)".to_string(),
        ));
    }
    legend_row(&key, th, &entries)?;

    let (rows, cols) = grid(strategies.len());
    let cells = grid_area.split_evenly((rows, cols));
    for (i, (s, cell)) in strategies.iter().zip(&cells).enumerate() {
        panel(cell, th, s, i, counted, &y, capacities[i])?;
    }
    Ok(())
}

fn panel<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    th: &Theme,
    s: &StrategyReport,
    index: usize,
    counted: Counted,
    y: &Axis,
    capacity: Option<f64>,
) -> Drawn<DB> {
    let counts = counted.of(s);
    let n = counts.len();
    let balance = match counted {
        Counted::Load => s.balance,
        Counted::Keys => s.key_balance,
    };
    let x = partition_axis(n);
    let caption_room = cell.dim_in_pixel().0.saturating_sub(th.upx(20.0));
    let caption = fit(
        cell,
        &format!("{} · max/mean {}", s.label, fmt_num(balance.max_over_mean)),
        &th.heading(),
        caption_room,
    )?;
    let mut chart = ChartBuilder::on(cell)
        .caption(caption, th.heading())
        .margin(th.px(8.0))
        .margin_right(th.px(16.0))
        .x_label_area_size(th.px(40.0))
        .y_label_area_size(th.px(62.0))
        .build_cartesian_2d(x.coord(), y.coord())?;
    let y_desc = match counted {
        Counted::Load => "operations",
        Counted::Keys => "keys",
    };
    let xf = |v: &f64| format!("{}", (v - 0.5).round() as i64);
    let yf = |v: &f64| fmt_count(*v);
    mesh!(chart, th, "partition", y_desc, &xf, &yf)
        .disable_x_mesh()
        .draw()?;

    let c = color(index);
    let plot_width = chart.plotting_area().dim_in_pixel().0 as f64;
    let px_per_partition = plot_width / n.max(1) as f64;
    if px_per_partition >= 3.0 {
        let gap = if px_per_partition >= 8.0 { 0.15 } else { 0.0 };
        chart.draw_series(counts.iter().enumerate().map(|(i, &v)| {
            let i = i as f64;
            Rectangle::new([(i + gap, 0.0), (i + 1.0 - gap, v as f64)], c.filled())
        }))?;
    } else {
        // Too thin for bars: a filled profile, whose outline keeps single
        // hot partitions visible.
        chart.draw_series(
            AreaSeries::new(
                counts
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| (i as f64 + 0.5, v as f64)),
                0.0,
                c.mix(0.35),
            )
            .border_style(c.stroke_width(1)),
        )?;
    }

    if n > 0 {
        let mean = counts.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
        chart.draw_series(LineSeries::new(
            [(0.0, mean), (n as f64, mean)],
            MEAN_COLOR.stroke_width(th.stroke(1.5)),
        ))?;
    }
    if let Some(cap) = capacity {
        if cap <= y.hi {
            chart.draw_series(DashedLineSeries::new(
                [(0.0, cap), (n.max(1) as f64, cap)],
                th.px(8.0),
                th.px(5.0),
                CAPACITY_COLOR.stroke_width(th.stroke(2.0)),
            ))?;
        } else {
            let area = chart.plotting_area().strip_coord_spec();
            let (w, _) = area.dim_in_pixel();
            let style = th.font(12.5, INK).pos(Pos::new(HPos::Right, VPos::Top));
            area.draw_text(
                &format!("capacity {} (above the scale)", fmt_count(cap)),
                &style,
                (w as i32 - th.px(6.0), th.px(6.0)),
            )?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// load_sorted.png: each strategy's partitions, hottest first.

fn draw_load_sorted<DB: DrawingBackend>(
    report: &RunReport,
    root: &DrawingArea<DB, Shift>,
    th: &Theme,
    title: &str,
) -> Drawn<DB> {
    let body = header(
        root,
        th,
        title,
        "each partition's traffic over its strategy's mean, hottest partition first; 1 = perfectly even",
    )?;
    let n = report
        .strategies
        .iter()
        .map(|s| s.load.len())
        .max()
        .unwrap_or(0);
    let top = top_tenth(n);

    let sorted: Vec<Vec<f64>> = report
        .strategies
        .iter()
        .map(|s| {
            let mean = s.load.iter().map(|&v| v as f64).sum::<f64>() / s.load.len().max(1) as f64;
            let mut r: Vec<f64> = s
                .load
                .iter()
                .map(|&v| if mean > 0.0 { v as f64 / mean } else { 0.0 })
                .collect();
            r.sort_by(|a, b| b.total_cmp(a));
            r
        })
        .collect();
    let hi = sorted.iter().flatten().copied().fold(1.0, f64::max);
    let lo_positive = sorted
        .iter()
        .flatten()
        .copied()
        .filter(|&v| v > 0.0)
        .fold(1.0, f64::min);
    // A hot partition many times the mean would flatten everything else on
    // a linear scale.
    let y = if hi > 4.0 {
        Axis::log((lo_positive.min(0.5) / 1.3).max(0.01), hi * 1.3)
    } else {
        Axis::linear(0.0, (hi * 1.1).max(1.2), 6)
    };
    let x = rank_axis(n);

    let entries: Vec<(Swatch, String)> = report
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let share = fmt_pct(top_share(&s.load, top));
            let what = if top == 1 {
                format!("hottest carries {share}")
            } else {
                format!("hottest {top} carry {share}")
            };
            (Swatch::Line(color(i)), format!("{} — {what}", s.label))
        })
        .chain([(Swatch::Dashed(MEAN_COLOR), "even spread".to_string())])
        .collect();
    let width = legend_width(&body, th, &entries, body.dim_in_pixel().0)?;
    let (plot_area, legend_area) = body.split_horizontally(body.dim_in_pixel().0 - width);

    let mut chart = ChartBuilder::on(&plot_area)
        .margin(th.px(10.0))
        .margin_right(th.px(24.0))
        .x_label_area_size(th.px(50.0))
        .y_label_area_size(th.px(70.0))
        .build_cartesian_2d(x.coord(), y.coord())?;
    let xf = |v: &f64| fmt_num(v.round());
    let yf = |v: &f64| fmt_num(y.value(*v));
    mesh!(
        chart,
        th,
        "partition rank (1 = hottest)",
        "traffic ÷ mean traffic",
        &xf,
        &yf
    )
    .draw()?;

    chart.draw_series(DashedLineSeries::new(
        [(x.lo, y.pos(1.0)), (x.hi, y.pos(1.0))],
        th.px(8.0),
        th.px(5.0),
        MEAN_COLOR.stroke_width(th.stroke(1.5)),
    ))?;
    let markers = n <= 40;
    for (i, ratios) in sorted.iter().enumerate() {
        let c = color(i);
        let points: Vec<(f64, f64)> = ratios
            .iter()
            .enumerate()
            .map(|(rank, &r)| (rank as f64 + 1.0, y.pos(r)))
            .collect();
        chart.draw_series(LineSeries::new(
            points.iter().copied(),
            c.stroke_width(th.stroke(2.0)),
        ))?;
        if markers {
            chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, th.px(3.5), c.filled())),
            )?;
        }
    }
    legend_column(
        &legend_area.margin(th.px(16.0), 0, th.px(8.0), 0),
        th,
        &entries,
    )
}

// ---------------------------------------------------------------------------
// latency.png: the merged latency distribution of each strategy.

fn draw_latency<DB: DrawingBackend>(
    report: &RunReport,
    root: &DrawingArea<DB, Shift>,
    th: &Theme,
    title: &str,
) -> Drawn<DB> {
    let with_latency: Vec<(usize, &StrategyReport)> = report
        .strategies
        .iter()
        .enumerate()
        .filter(|(_, s)| s.latency.is_some())
        .collect();
    let saturated = |s: &StrategyReport| {
        s.latency
            .as_ref()
            .is_some_and(|l| l.saturated_partitions > 0 || l.all.saturated)
    };
    let subtitle = if with_latency.iter().any(|(_, s)| saturated(s)) {
        "all requests; scatter-gather queries count once, at their slowest partition; \
         saturated: a partition at utilization ≥ 1, whose queue grows without bound"
    } else {
        "all requests; scatter-gather queries count once, at their slowest partition"
    };
    let body = header(root, th, title, subtitle)?;
    if with_latency.is_empty() {
        return message(&body, th, "No latency results in this run.");
    }

    let points = |s: &StrategyReport| -> Vec<(f64, f64)> {
        s.latency.as_ref().map_or_else(Vec::new, |l| {
            l.curve
                .iter()
                // Below the 10th percentile a service-time distribution
                // runs down toward zero, which would stretch the log axis
                // over decades nobody reads.
                .filter(|(q, ms)| {
                    q.is_finite() && *q >= 10.0 && *q < 100.0 && ms.is_finite() && *ms > 0.0
                })
                .map(|&(q, ms)| (nines(q), ms))
                .collect()
        })
    };
    let curves: Vec<Vec<(f64, f64)>> = with_latency.iter().map(|(_, s)| points(s)).collect();
    let all = curves.iter().flatten();
    let ms_lo = all.clone().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let ms_hi = all.clone().map(|p| p.1).fold(0.0, f64::max);
    let max_nines = all.map(|p| p.0).fold(4.0, f64::max).min(6.0).ceil();
    let y = if ms_hi > 0.0 {
        Axis::log(ms_lo / 1.5, ms_hi * 1.5)
    } else {
        Axis::log(0.1, 100.0)
    };
    let mut ticks = vec![0.0, nines(50.0)];
    ticks.extend((1..=max_nines as i32).map(f64::from));
    let x = Axis {
        lo: 0.0,
        hi: max_nines,
        ticks,
        minor: Vec::new(),
        log: false,
    };

    let entries: Vec<(Swatch, String)> = with_latency
        .iter()
        .zip(&curves)
        .map(|((i, s), curve)| {
            let l = s.latency.as_ref().expect("filtered on latency");
            let note = if saturated(s) {
                format!(
                    "saturated ({})",
                    plural(l.saturated_partitions.into(), "partition")
                )
            } else if curve.is_empty() {
                "no curve".to_string()
            } else {
                format!("p99 {} ms", fmt_num(l.all.p99_ms))
            };
            let swatch = if saturated(s) {
                Swatch::Dashed(color(*i))
            } else {
                Swatch::Line(color(*i))
            };
            (swatch, format!("{} — {note}", s.label))
        })
        .collect();
    let width = legend_width(&body, th, &entries, body.dim_in_pixel().0)?;
    let (plot_area, legend_area) = body.split_horizontally(body.dim_in_pixel().0 - width);

    let mut chart = ChartBuilder::on(&plot_area)
        .margin(th.px(10.0))
        .margin_right(th.px(24.0))
        .x_label_area_size(th.px(50.0))
        .y_label_area_size(th.px(70.0))
        .build_cartesian_2d(x.coord(), y.coord())?;
    let xf = |v: &f64| fmt_percentile(percentile_at(*v));
    let yf = |v: &f64| fmt_num(y.value(*v));
    mesh!(
        chart,
        th,
        "percentile (%), log scale of nines",
        "latency (ms, log scale)",
        &xf,
        &yf
    )
    .draw()?;
    // Saturated strategies are dashed: a queue that grows without bound has
    // no steady state, so their curve is only indicative.
    for ((i, s), curve) in with_latency.iter().zip(&curves) {
        let line = curve.iter().map(|&(q, ms)| (q, y.pos(ms)));
        let style = color(*i).stroke_width(th.stroke(2.5));
        if saturated(s) {
            chart.draw_series(DashedLineSeries::new(line, th.px(10.0), th.px(6.0), style))?;
        } else {
            chart.draw_series(LineSeries::new(line, style))?;
        }
    }
    legend_column(
        &legend_area.margin(th.px(16.0), 0, th.px(8.0), 0),
        th,
        &entries,
    )
}

// ---------------------------------------------------------------------------
// tradeoff.png: imbalance against query fan-out, one point per strategy.

fn draw_tradeoff<DB: DrawingBackend>(
    report: &RunReport,
    root: &DrawingArea<DB, Shift>,
    th: &Theme,
    title: &str,
) -> Drawn<DB> {
    let body = header(
        root,
        th,
        title,
        "lower left is better: even traffic, and queries that touch few partitions",
    )?;
    let points: Vec<(usize, &StrategyReport, f64, f64)> = report
        .strategies
        .iter()
        .enumerate()
        .filter_map(|(i, s)| read_fanout(s).map(|f| (i, s, s.balance.max_over_mean, f)))
        .filter(|p| p.2.is_finite())
        .collect();
    if points.is_empty() {
        return message(&body, th, "No query fan-out was recorded in this run.");
    }

    let axis_for = |values: &mut dyn Iterator<Item = f64>| {
        let (lo, hi) = values.fold((1.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let lo = lo.max(1e-3);
        if hi / lo > 10.0 {
            Axis::log(lo / 1.25, hi * 1.25)
        } else {
            let pad = ((hi - lo) * 0.12).max(0.1);
            Axis::linear((lo - pad).max(0.0), hi + pad, 6)
        }
    };
    let x = axis_for(&mut points.iter().map(|p| p.2));
    let y = axis_for(&mut points.iter().map(|p| p.3));

    let entries: Vec<(Swatch, String)> = points
        .iter()
        .map(|&(i, s, imb, fan)| {
            (
                Swatch::Dot(color(i)),
                format!(
                    "{} — max/mean {}, fan-out {}",
                    s.label,
                    fmt_num(imb),
                    fmt_num(fan)
                ),
            )
        })
        .collect();
    let width = legend_width(&body, th, &entries, body.dim_in_pixel().0)?;
    let (plot_area, legend_area) = body.split_horizontally(body.dim_in_pixel().0 - width);

    let mut chart = ChartBuilder::on(&plot_area)
        .margin(th.px(10.0))
        .margin_right(th.px(24.0))
        .x_label_area_size(th.px(50.0))
        .y_label_area_size(th.px(70.0))
        .build_cartesian_2d(x.coord(), y.coord())?;
    let xf = |v: &f64| fmt_num(x.value(*v));
    let yf = |v: &f64| fmt_num(y.value(*v));
    let x_desc = if x.log {
        "imbalance: hottest partition's traffic ÷ mean (log scale)"
    } else {
        "imbalance: hottest partition's traffic ÷ mean"
    };
    let y_desc = if y.log {
        "fan-out: partitions per query, over the mix (log scale)"
    } else {
        "fan-out: partitions per query, over the mix"
    };
    mesh!(chart, th, x_desc, y_desc, &xf, &yf).draw()?;

    let radius = th.px(7.0);
    // A white rim keeps coinciding points apart.
    chart.draw_series(points.iter().map(|&(i, _, imb, fan)| {
        let at = (x.pos(imb), y.pos(fan));
        EmptyElement::at(at)
            + Circle::new((0, 0), radius + th.px(1.5), WHITE.filled())
            + Circle::new((0, 0), radius, color(i).filled())
    }))?;

    // Labels go beside their point where they overlap neither another
    // label nor a point; a label with no free spot is left to the legend.
    let label_style = th.font(13.5, INK);
    let centers: Vec<(i32, i32)> = points
        .iter()
        .map(|&(_, _, imb, fan)| chart.backend_coord(&(x.pos(imb), y.pos(fan))))
        .collect();
    let bounds = {
        let area = chart.plotting_area();
        let (x0, y0) = area.get_base_pixel();
        let (w, h) = area.dim_in_pixel();
        (x0, y0, x0 + w as i32, y0 + h as i32)
    };
    let mut taken: Vec<(i32, i32, i32, i32)> = centers
        .iter()
        .map(|&(cx, cy)| (cx - radius, cy - radius, cx + radius, cy + radius))
        .collect();
    let mut labels = Vec::new();
    for (&(_, s, _, _), &(cx, cy)) in points.iter().zip(&centers) {
        let (w, h) = root.estimate_text_size(&s.label, &label_style)?;
        let (w, h) = (w as i32, h as i32);
        let gap = radius + th.px(4.0);
        let candidates = [
            (cx + gap, cy - h / 2),
            (cx - gap - w, cy - h / 2),
            (cx - w / 2, cy - gap - h),
            (cx - w / 2, cy + gap),
            (cx + gap, cy - gap - h),
            (cx + gap, cy + gap),
            (cx - gap - w, cy - gap - h),
            (cx - gap - w, cy + gap),
        ];
        let free = candidates.iter().find(|&&(lx, ly)| {
            let r = (lx, ly, lx + w, ly + h);
            r.0 >= bounds.0
                && r.1 >= bounds.1
                && r.2 <= bounds.2
                && r.3 <= bounds.3
                && taken
                    .iter()
                    .all(|t| r.2 <= t.0 || t.2 <= r.0 || r.3 <= t.1 || t.3 <= r.1)
        });
        if let Some(&(lx, ly)) = free {
            taken.push((lx, ly, lx + w, ly + h));
            labels.push((s.label.as_str(), (lx, ly)));
        }
    }
    let top_left = label_style.pos(Pos::new(HPos::Left, VPos::Top));
    for (text, (lx, ly)) in labels {
        // Backend coordinates are relative to the whole canvas.
        root.draw_text(text, &top_left, (lx, ly))?;
    }
    legend_column(
        &legend_area.margin(th.px(16.0), 0, th.px(8.0), 0),
        th,
        &entries,
    )
}

// ---------------------------------------------------------------------------
// movement.png: keys moved on N → N+1, against the ideal.

fn draw_movement<DB: DrawingBackend>(
    report: &RunReport,
    root: &DrawingArea<DB, Shift>,
    th: &Theme,
    title: &str,
) -> Drawn<DB> {
    let body = header(
        root,
        th,
        title,
        "share of keys whose partition changes when one partition is added",
    )?;
    let ideal = ideal_move(report);
    let (key, chart_area) = body.split_vertically(th.px(30.0));
    legend_row(
        &key,
        th,
        &[
            (
                Swatch::Bar(color(0)),
                "keys moved (one color per strategy)".to_string(),
            ),
            (
                Swatch::Dashed(CAPACITY_COLOR),
                format!("ideal 1/(N+1) = {}", fmt_pct(ideal)),
            ),
        ],
    )?;

    let k = report.strategies.len();
    let moved: Vec<f64> = report
        .strategies
        .iter()
        .map(|s| (s.movement.keys_add * 100.0).max(0.0))
        .collect();
    let hi = moved.iter().copied().fold(ideal * 100.0, f64::max);
    // Room on the right for the value labels, but no axis far past 100%.
    let x = Axis::linear(0.0, (hi * 1.18).min(hi.max(100.0) * 1.12).max(1.0), 8);
    let y = Axis {
        lo: 0.0,
        hi: k as f64,
        ticks: (0..k).map(|i| k as f64 - i as f64 - 0.5).collect(),
        minor: Vec::new(),
        log: false,
    };

    let tick_style = th.font(13.5, INK);
    let room = chart_area.dim_in_pixel().0 * 30 / 100;
    let mut names = Vec::with_capacity(k);
    let mut widest = 0;
    for s in &report.strategies {
        let name = fit(&chart_area, &s.label, &tick_style, room)?;
        widest = widest.max(chart_area.estimate_text_size(&name, &tick_style)?.0);
        names.push(name);
    }
    let mut chart = ChartBuilder::on(&chart_area)
        .margin(th.px(10.0))
        .margin_right(th.px(24.0))
        .x_label_area_size(th.px(50.0))
        .y_label_area_size(widest as i32 + th.px(20.0))
        .build_cartesian_2d(x.coord(), y.coord())?;
    let xf = |v: &f64| format!("{}%", fmt_num(*v));
    let yf = |v: &f64| {
        let i = (k as f64 - v - 0.5).round();
        if i >= 0.0 && (i as usize) < k {
            names[i as usize].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .x_desc("keys moved (% of all keys)")
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .x_label_style(th.tick())
        .y_label_style(tick_style.color(&INK))
        .axis_desc_style(th.axis())
        .bold_line_style(RGBColor(0, 0, 0).mix(0.14))
        .axis_style(RGBColor(0, 0, 0).mix(0.5))
        .disable_y_mesh()
        .draw()?;

    let thickness = 0.3;
    chart.draw_series(moved.iter().enumerate().map(|(i, &m)| {
        let center = k as f64 - i as f64 - 0.5;
        Rectangle::new(
            [(0.0, center - thickness), (m, center + thickness)],
            color(i).filled(),
        )
    }))?;
    if ideal > 0.0 {
        chart.draw_series(DashedLineSeries::new(
            [(ideal * 100.0, y.lo), (ideal * 100.0, y.hi)],
            th.px(8.0),
            th.px(5.0),
            CAPACITY_COLOR.stroke_width(th.stroke(2.0)),
        ))?;
    }
    // Values start past the bar, or past the ideal line where the bar ends
    // short of it, so the line never runs through a number.
    let value_style = th.font(13.0, INK).pos(Pos::new(HPos::Left, VPos::Center));
    chart.draw_series(moved.iter().enumerate().map(|(i, &m)| {
        let center = k as f64 - i as f64 - 0.5;
        let near_ideal = m < ideal * 100.0 * 1.5;
        let anchor = if near_ideal { m.max(ideal * 100.0) } else { m };
        EmptyElement::at((anchor, center))
            + Text::new(fmt_pct(m / 100.0), (th.px(7.0), 0), value_style.clone())
    }))?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::latency::{LatencyReport, Percentiles};
    use crate::metrics::Balance;
    use crate::report::{Movement, QueryFanout};
    use crate::rng::Rng;

    /// A run of `k` strategies over `n` partitions: strategy 0 has one hot
    /// partition, the others lognormal-ish noise of growing spread; fan-out
    /// and movement differ by strategy; latency when asked, with strategy 0
    /// saturated.
    pub(crate) fn synthetic(k: usize, n: usize, latency: bool) -> RunReport {
        let mut rng = Rng::from_seed(0x5eed_c4a7 ^ (k * 1000 + n) as u64);
        let kinds = ["hash", "range", "jump", "rendezvous", "consistent"];
        let strategies = (0..k)
            .map(|i| {
                let spread = 0.05 + 0.1 * i as f64;
                let mut load: Vec<u64> = (0..n)
                    .map(|_| (10_000.0 * (1.0 + spread * (rng.next_f64() - 0.5) * 2.0)) as u64)
                    .collect();
                if i == 0 {
                    load[n / 3] *= 8;
                }
                let keys: Vec<u64> = load.iter().map(|&l| l / 7 + rng.below(50)).collect();
                let total: u64 = load.iter().sum();
                let latency = latency.then(|| {
                    let capacity = if i == 0 { 40_000.0 } else { 25_000.0 };
                    let partitions: Vec<Percentiles> = load
                        .iter()
                        .map(|&l| {
                            let u = l as f64 / capacity;
                            Percentiles {
                                utilization: u,
                                saturated: u >= 1.0,
                                ..Default::default()
                            }
                        })
                        .collect();
                    let hottest = partitions.iter().map(|p| p.utilization).fold(0.0, f64::max);
                    let saturated = partitions.iter().filter(|p| p.saturated).count() as u32;
                    let curve = [0.0f64, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99]
                        .iter()
                        .map(|&q| (q, (0.8 + i as f64 * 0.3) / (1.0 - q / 100.0).powf(0.7)))
                        .collect();
                    LatencyReport {
                        all: Percentiles {
                            p99_ms: 20.0 + i as f64,
                            saturated: saturated > 0,
                            ..Default::default()
                        },
                        partitions,
                        hottest_utilization: hottest,
                        saturated_partitions: saturated,
                        headroom: 1.0 / hottest,
                        curve,
                    }
                });
                let kind = kinds[i % kinds.len()];
                StrategyReport {
                    name: format!("{kind}_{i}"),
                    label: format!("{kind}(user{i})"),
                    kind: kind.to_string(),
                    partitions: n as u32,
                    events: total,
                    balance: Balance::of(&load),
                    key_balance: Balance::of(&keys),
                    load,
                    keys,
                    hottest_key_share: 0.01 * (i + 1) as f64,
                    fanout: vec![
                        QueryFanout {
                            query: "write".to_string(),
                            mean_partitions: 1.0,
                            max_partitions: 1,
                        },
                        QueryFanout {
                            query: "timeline".to_string(),
                            mean_partitions: 1.0 + (i as f64 * 3.7) % n as f64,
                            max_partitions: n as u32,
                        },
                    ],
                    mean_fanout: 1.0 + (i as f64 * 3.7) % n as f64 / 2.0,
                    movement: Movement {
                        keys_add: if i % 2 == 0 {
                            1.0 - 1.0 / (n as f64 + 1.0)
                        } else {
                            1.0 / (n as f64 + 1.0)
                        },
                        ideal_add: 1.0 / (n as f64 + 1.0),
                        ideal_remove: 1.0 / n as f64,
                        ..Default::default()
                    },
                    events_per_sec: 1.0e7 / (i + 1) as f64,
                    latency,
                    ..Default::default()
                }
            })
            .collect();
        RunReport {
            workload: "synthetic <test> & co".to_string(),
            description: "skewed loads for chart tests".to_string(),
            events: 1_000_000,
            partitions: n as u32,
            seed: 7,
            threads: 2,
            traffic: 1.0,
            ops: vec!["write".to_string(), "timeline".to_string()],
            strategies,
            elapsed_sec: 1.5,
        }
    }

    /// Width and height from a PNG's IHDR chunk, after checking the
    /// signature (PNG specification, section 5.2 and 11.2.2).
    pub(crate) fn png_size(bytes: &[u8]) -> (u32, u32) {
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
        assert_eq!(&bytes[12..16], b"IHDR", "first chunk is IHDR");
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        (w, h)
    }

    fn check_run(report: &RunReport, scale: f64) -> Vec<Chart> {
        let dir = tempfile::tempdir().unwrap();
        let charts = write_charts_scaled(report, dir.path(), scale).unwrap();
        let names: Vec<&str> = charts.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "load",
                "load_sorted",
                "storage",
                "latency",
                "tradeoff",
                "movement"
            ]
        );
        let theme = Theme { scale };
        for (chart, kind) in charts.iter().zip(Kind::ALL) {
            let png = fs::read(&chart.png).unwrap();
            assert_eq!(
                png_size(&png),
                kind.canvas(report, &theme),
                "{}",
                chart.name
            );
            let svg = fs::read_to_string(&chart.svg).unwrap();
            let doc = roxmltree::Document::parse(&svg)
                .unwrap_or_else(|e| panic!("{}.svg is not XML: {e}", chart.name));
            assert_eq!(doc.root_element().tag_name().name(), "svg");
            assert_eq!(chart.svg, chart.png.with_extension("svg"));
            assert!(chart.reading.ends_with('.'), "{}", chart.reading);
            assert!(!chart.title.is_empty());
        }
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("partial"))
            .collect();
        assert!(left.is_empty(), "temporary files left behind: {left:?}");
        charts
    }

    #[test]
    fn every_chart_is_written_as_png_and_svg_at_its_size() {
        check_run(&synthetic(3, 16, true), 0.4);
    }

    #[test]
    fn full_size_single_chart_is_1200_by_750() {
        let report = synthetic(2, 8, true);
        assert_eq!(
            Kind::Latency.canvas(&report, &Theme { scale: 1.0 }),
            (1200, 750)
        );
    }

    #[test]
    fn charts_handle_one_partition() {
        check_run(&synthetic(2, 1, true), 0.3);
    }

    #[test]
    fn charts_handle_four_partitions() {
        check_run(&synthetic(4, 4, false), 0.3);
    }

    #[test]
    fn charts_handle_1024_partitions() {
        check_run(&synthetic(2, 1024, true), 0.3);
    }

    #[test]
    fn charts_handle_ten_strategies() {
        let report = synthetic(10, 32, true);
        let charts = check_run(&report, 0.3);
        let (rows, cols) = grid(10);
        assert!(rows * cols >= 10 && cols == 4);
        assert!(charts[0].reading.contains("hash(user0)"));
    }

    #[test]
    fn charts_handle_an_empty_run() {
        let charts = check_run(&RunReport::default(), 0.3);
        assert!(
            charts
                .iter()
                .all(|c| c.reading == "The run has no strategies.")
        );
    }

    #[test]
    fn unwritable_folder_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        fs::write(&file, b"x").unwrap();
        let err = write_charts_scaled(&synthetic(1, 2, false), &file, 0.3).unwrap_err();
        assert!(err.to_string().contains("not-a-folder"), "{err}");
    }

    #[test]
    fn latency_chart_says_so_when_no_strategy_has_latency() {
        let report = synthetic(3, 8, false);
        assert_eq!(reading_latency(&report), "This run has no latency results.");
        let dir = tempfile::tempdir().unwrap();
        write_charts_scaled(&report, dir.path(), 0.3).unwrap();
        let svg = fs::read_to_string(dir.path().join("latency.svg")).unwrap();
        assert!(svg.contains("No latency results in this run."));
    }

    #[test]
    fn saturated_strategy_is_named_in_latency_legend_and_reading() {
        let report = synthetic(3, 16, true);
        assert!(
            report.strategies[0]
                .latency
                .as_ref()
                .unwrap()
                .saturated_partitions
                > 0
        );
        let reading = reading_latency(&report);
        assert!(reading.contains("hash(user0) saturates"), "{reading}");
        let dir = tempfile::tempdir().unwrap();
        write_charts_scaled(&report, dir.path(), 0.3).unwrap();
        let svg = fs::read_to_string(dir.path().join("latency.svg")).unwrap();
        assert!(svg.contains("hash(user0) — saturated"));
    }

    #[test]
    fn capacity_is_median_load_over_utilization() {
        let mut s = synthetic(1, 5, true).strategies.remove(0);
        let l = s.latency.as_mut().unwrap();
        // Loads 10, 20, 30, 40, 0 at utilizations giving capacities
        // 100, 100, 300, 80 and an idle partition: median of four is 100.
        s.load = vec![10, 20, 30, 40, 0];
        for (p, u) in l.partitions.iter_mut().zip([0.1, 0.2, 0.1, 0.5, 0.0]) {
            p.utilization = u;
        }
        assert!((capacity_load(&s).unwrap() - 100.0).abs() < 1e-9);
        s.latency = None;
        assert_eq!(capacity_load(&s), None);
    }

    #[test]
    fn read_fanout_is_the_mean_over_the_mix() {
        let s = &synthetic(3, 64, false).strategies[2];
        assert!((read_fanout(s).unwrap() - 4.7).abs() < 1e-9);
        let mut none = s.clone();
        none.mean_fanout = 0.0;
        assert_eq!(read_fanout(&none), None);
    }
}
