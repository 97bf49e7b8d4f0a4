//! The HTML report: one self-contained page per run.
//!
//! [`write_html`] reads a [`RunReport`], the charts that
//! [`write_charts`](super::charts::write_charts) wrote, and the run's
//! configuration, and writes a single page with everything inlined (charts
//! as base64 PNG data URIs, styles in the head), so it can be mailed or
//! archived as one file. Every string that comes from the workload is
//! HTML-escaped.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use super::RunReport;
use super::charts::{Chart, fmt_count, fmt_num, fmt_pct, fmt_times, write_atomic};
use crate::{Error, Result};

/// Writes the report page for `report` to `path`: header facts, the
/// summary table, each chart with its reading, and `config_json` (the run's
/// configuration as JSON, shown indented).
pub fn write_html(
    report: &RunReport,
    charts: &[Chart],
    config_json: &str,
    path: &Path,
) -> Result<()> {
    let mut page = String::with_capacity(1 << 20);
    let title = format!("shardbench: {}", report.workload);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        escape(&title)
    );

    header(&mut page, report);
    summary(&mut page, report);

    page.push_str("<section>\n<h2>Charts</h2>\n");
    for chart in charts {
        figure(&mut page, chart, path)?;
    }
    page.push_str("</section>\n");

    let _ = write!(
        page,
        "<section>\n<h2>Configuration</h2>\n<pre class=\"config\">{}</pre>\n</section>\n",
        escape(&indent_json(config_json))
    );
    let _ = write!(
        page,
        "<footer>Written by shardbench {}.</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    write_atomic(path, page.as_bytes())
}

fn header(page: &mut String, report: &RunReport) {
    let _ = write!(
        page,
        "<header>\n<h1>{}</h1>\n",
        escape(&format!("shardbench: {}", report.workload))
    );
    if !report.description.is_empty() {
        let _ = writeln!(
            page,
            "<p class=\"lede\">{}</p>",
            escape(&report.description)
        );
    }
    let facts = [
        ("events", fmt_int(report.events)),
        ("partitions", report.partitions.to_string()),
        ("strategies", report.strategies.len().to_string()),
        ("seed", report.seed.to_string()),
        ("threads", report.threads.to_string()),
        ("traffic", fmt_times(report.traffic)),
        ("elapsed", format!("{} s", fmt_num(report.elapsed_sec))),
    ];
    page.push_str("<dl class=\"facts\">\n");
    for (name, value) in facts {
        let _ = writeln!(
            page,
            "<div><dt>{name}</dt><dd>{}</dd></div>",
            escape(&value)
        );
    }
    page.push_str("</dl>\n</header>\n");
}

/// The summary table: one row per strategy; latency columns only when some
/// strategy has latency results.
fn summary(page: &mut String, report: &RunReport) {
    let latency = report.strategies.iter().any(|s| s.latency.is_some());
    let n = report.partitions;
    page.push_str("<section>\n<h2>Summary</h2>\n<div class=\"scroll\">\n<table>\n<thead><tr>");
    let mut heads = vec![
        "strategy".to_string(),
        "max/mean".to_string(),
        "min/mean".to_string(),
        "CoV".to_string(),
        "Gini".to_string(),
        "hottest partition".to_string(),
        "hottest key".to_string(),
        format!("keys moved {n}→{}", u64::from(n) + 1),
    ];
    if latency {
        heads.push("p99 (ms)".to_string());
        heads.push("headroom".to_string());
    }
    heads.push("events/s".to_string());
    for h in &heads {
        let _ = write!(page, "<th>{}</th>", escape(h));
    }
    page.push_str("</tr></thead>\n<tbody>\n");

    for s in &report.strategies {
        let b = &s.balance;
        let _ = write!(
            page,
            "<tr><th scope=\"row\">{}<span class=\"name\">{}</span></th>",
            escape(&s.label),
            escape(&s.name)
        );
        let cells = [
            fmt_num(b.max_over_mean),
            fmt_num(b.min_over_mean),
            fmt_num(b.cov),
            fmt_num(b.gini),
            fmt_pct(b.max_share),
            fmt_pct(s.hottest_key_share),
            fmt_pct(s.movement.keys_add),
        ];
        for c in cells {
            let _ = write!(page, "<td>{}</td>", escape(&c));
        }
        if latency {
            match &s.latency {
                Some(l) if l.saturated_partitions > 0 || l.all.saturated => {
                    let _ = write!(
                        page,
                        "<td class=\"bad\">saturated</td><td class=\"bad\">{}</td>",
                        escape(&fmt_times(l.headroom))
                    );
                }
                Some(l) => {
                    let _ = write!(
                        page,
                        "<td>{}</td><td>{}</td>",
                        escape(&fmt_num(l.all.p99_ms)),
                        escape(&fmt_times(l.headroom))
                    );
                }
                None => page.push_str("<td>–</td><td>–</td>"),
            }
        }
        let _ = writeln!(
            page,
            "<td>{}</td></tr>",
            escape(&fmt_rate(s.events_per_sec))
        );
    }
    page.push_str("</tbody>\n</table>\n</div>\n");
    page.push_str(
        "<p class=\"note\">max/mean and min/mean: the most and least loaded partition's \
         traffic over the mean. CoV: standard deviation over mean. Gini: 0 when traffic is \
         even, 1 − 1/N when one partition takes all. Hottest partition and hottest key: \
         their share of all traffic. Keys moved: share of keys that change partition when one \
         partition is added (the least possible is 1/(N+1)). Headroom: the traffic multiplier \
         at which the hottest partition saturates.</p>\n</section>\n",
    );
}

/// A chart as a figure: title, the PNG inlined, the reading, and a link to
/// the SVG when it sits beside the page.
fn figure(page: &mut String, chart: &Chart, html_path: &Path) -> Result<()> {
    let png = fs::read(&chart.png).map_err(|e| Error::io(&chart.png, e))?;
    let _ = write!(
        page,
        "<figure id=\"chart-{}\">\n<h3>{}</h3>\n<img src=\"data:image/png;base64,{}\" alt=\"{}\">\n\
         <figcaption>{}",
        chart.name,
        escape(&chart.title),
        base64(&png),
        escape(&chart.title),
        escape(&chart.reading)
    );
    if let Some(file) = chart.svg.file_name()
        && chart.svg.parent() == html_path.parent()
    {
        let file = file.to_string_lossy();
        let _ = write!(page, " <a href=\"{}\">SVG</a>", escape(&file));
    }
    page.push_str("</figcaption>\n</figure>\n");
    Ok(())
}

/// An integer with its thousands separated by commas: 1,048,576.
fn fmt_int(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Events per second in a few characters: 850, 12.3k, 4.1M; a dash when
/// not measured.
fn fmt_rate(v: f64) -> String {
    if v.is_finite() && v > 0.0 {
        fmt_count(v)
    } else {
        "–".to_string()
    }
}

/// `text` with the five characters that are special in HTML replaced by
/// entities, safe in element content and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Standard base64 (RFC 4648, section 4) with `=` padding: every 3 bytes
/// become 4 characters of the 64-letter alphabet.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `json` re-indented by two spaces per level, keys in their original
/// order; text that is not valid JSON is returned unchanged.
fn indent_json(json: &str) -> String {
    if serde_json::from_str::<serde::de::IgnoredAny>(json).is_err() {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.extend(chars.next());
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// Styles of the page: system fonts, a readable measure, quiet tables.
const CSS: &str = "
:root { color-scheme: light; --ink: #222; --muted: #666; --rule: #e3e3e3; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; font-weight: 600; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--rule);
  font-weight: 600; }
h3 { font-size: 16px; margin: 0 0 8px; font-weight: 600; }
.lede { color: var(--muted); margin: 0 0 12px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
.facts div { display: flex; gap: 6px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; white-space: nowrap; }
th, td { padding: 6px 12px; text-align: right; border-bottom: 1px solid var(--rule); }
thead th { font-weight: 600; font-size: 13px; color: var(--muted); vertical-align: bottom; }
tbody th { text-align: left; font-weight: 600; }
tbody tr:nth-child(even) { background: #fafafa; }
.name { display: block; font-weight: 400; font-size: 12px; color: var(--muted); }
.bad { color: var(--bad); font-weight: 600; }
.note { color: var(--muted); font-size: 13px; max-width: 900px; }
figure { margin: 0 0 40px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { margin-top: 8px; max-width: 900px; }
figcaption a { color: var(--muted); font-size: 13px; margin-left: 6px; }
pre.config { background: #f6f6f6; padding: 14px 16px; overflow-x: auto; font-size: 13px;
  line-height: 1.4; border: 1px solid var(--rule); }
footer { margin-top: 36px; color: var(--muted); font-size: 13px; }
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::synthetic;
    use crate::report::charts::write_charts_scaled;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        // RFC 4648, section 10.
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn integers_group_thousands() {
        assert_eq!(fmt_int(0), "0");
        assert_eq!(fmt_int(999), "999");
        assert_eq!(fmt_int(1000), "1,000");
        assert_eq!(fmt_int(1_048_576), "1,048,576");
    }

    #[test]
    fn escape_replaces_html_specials() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn indent_json_keeps_order_and_strings() {
        let json = r#"{"z":1,"a":{"s":"{, [\"q\"]:","e":[]},"l":[1,2]}"#;
        let expected = "{\n  \"z\": 1,\n  \"a\": {\n    \"s\": \"{, [\\\"q\\\"]:\",\n    \
                        \"e\": []\n  },\n  \"l\": [\n    1,\n    2\n  ]\n}";
        assert_eq!(indent_json(json), expected);
        assert_eq!(indent_json("not json {"), "not json {");
    }

    #[test]
    fn page_inlines_every_chart_and_escapes_workload_strings() {
        let dir = tempfile::tempdir().unwrap();
        let mut report = synthetic(3, 8, true);
        report.strategies[1].label = "range(<ts>)".to_string();
        let charts = write_charts_scaled(&report, dir.path(), 0.3).unwrap();
        let config = r#"{"workload":"<script>alert(1)</script>","partitions":8}"#;
        let path = dir.path().join("report.html");
        write_html(&report, &charts, config, &path).unwrap();
        let page = fs::read_to_string(&path).unwrap();

        for chart in &charts {
            let png = fs::read(&chart.png).unwrap();
            let uri = format!("data:image/png;base64,{}", base64(&png));
            assert!(page.contains(&uri), "{} is not inlined", chart.name);
            assert!(
                page.contains(&escape(&chart.reading)),
                "{} reading",
                chart.name
            );
            assert!(page.contains(&format!("href=\"{}.svg\"", chart.name)));
        }
        assert!(page.contains("synthetic &lt;test&gt; &amp; co"));
        assert!(!page.contains("<test>"));
        assert!(page.contains("range(&lt;ts&gt;)"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("&quot;workload&quot;: &quot;&lt;script&gt;"));
        assert_eq!(page.matches("<tr><th scope=\"row\">").count(), 3);
        assert!(page.contains("<th>p99 (ms)</th>"));
        assert!(page.contains("class=\"bad\">saturated"));
        assert!(!page.contains("http://") && !page.contains("https://"));
    }

    #[test]
    fn page_without_latency_has_no_latency_columns() {
        let dir = tempfile::tempdir().unwrap();
        let report = synthetic(2, 4, false);
        let path = dir.path().join("report.html");
        write_html(&report, &[], "{}", &path).unwrap();
        let page = fs::read_to_string(&path).unwrap();
        assert!(!page.contains("p99"));
        assert!(page.contains("<th>keys moved 4→5</th>"));
    }
}
