//! End-to-end tests of the `shardbench` binary: the main command, its
//! files, determinism across thread counts, and every bad input.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shardbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shardbench"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A run that must succeed; returns its output folder.
fn run_ok(dir: &Path, args: &[&str]) -> PathBuf {
    let out = dir.join("out");
    let out_s = out.to_str().unwrap();
    let mut all = args.to_vec();
    all.extend(["--out", out_s]);
    let o = shardbench(&all);
    assert!(o.status.success(), "{args:?} failed: {}", stderr(&o));
    out
}

/// Reads a CSV into rows of cells, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// The value of `column` in the row whose first cell is `strategy`.
fn cell(rows: &[Vec<String>], strategy: &str, column: &str) -> f64 {
    let c = rows[0]
        .iter()
        .position(|h| h == column)
        .expect("column exists");
    let row = rows
        .iter()
        .find(|r| r[0] == strategy)
        .expect("strategy row exists");
    row[c]
        .parse()
        .unwrap_or_else(|_| panic!("{strategy}.{column} = {}", row[c]))
}

/// Asserts a failed run: status 2, one line on stderr containing every
/// `needle`, no panic, and no output folder left behind.
fn assert_bad(args: &[&str], needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut all = args.to_vec();
    all.extend(["--out", out.to_str().unwrap(), "--no-charts"]);
    let o = shardbench(&all);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: not one line: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    for n in needles {
        assert!(err.contains(n), "{args:?}: {err:?} lacks {n:?}");
    }
    let left = fs::read_dir(&out).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "{args:?} left files in the output folder");
}

fn write_workload(dir: &Path, text: &str) -> String {
    let p = dir.join("w.toml");
    fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const SMALL: &str = r#"
name = "small"
[run]
events = 50000
partitions = 8
[fields]
user = { dist = "zipf", n = 10000, s = 1.1 }
region = { dist = "categorical", values = ["a", "b"], weights = [1, 1] }
[ops.put]
kind = "write"
weight = 3
[ops.get]
kind = "read"
weight = 1
[strategies.hash_user]
kind = "hash"
key = "user"
"#;

#[test]
fn main_command_writes_every_result_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(
        dir.path(),
        &["--workload", "uniform", "--events", "300k", "--no-charts"],
    );
    for f in [
        "summary.csv",
        "partitions.csv",
        "fanout.csv",
        "throughput.csv",
        "run.json",
        "latency.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let summary = csv_rows(&out.join("summary.csv"));
    let head = summary[0].join(",");
    assert!(
        head.starts_with(
            "strategy,partitions,events,max_over_mean,min_over_mean,cov,gini,\
         hottest_partition_share,hottest_key_share,moved_keys_fraction_add,\
         moved_traffic_fraction_add,moved_keys_fraction_remove"
        ),
        "{head}"
    );
    assert!(
        head.contains("p99_ms,headroom,saturated_partitions"),
        "{head}"
    );
    assert_eq!(summary.len(), 1 + 5, "one row per uniform strategy");

    let parts = csv_rows(&out.join("partitions.csv"));
    assert_eq!(parts[0].join(","), "strategy,partition,events,keys");
    assert_eq!(parts.len(), 1 + 5 * 64);
    let fan = csv_rows(&out.join("fanout.csv"));
    assert_eq!(
        fan[0].join(","),
        "strategy,query,mean_partitions,max_partitions"
    );

    // Every event lands somewhere: per strategy the events column sums to
    // the number of events (the uniform preset has writes only).
    let hash_total: u64 = parts
        .iter()
        .skip(1)
        .filter(|r| r[0] == "hash")
        .map(|r| r[2].parse::<u64>().unwrap())
        .sum();
    assert_eq!(hash_total, 300_000);

    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(json["events"], 300_000);
    assert_eq!(json["workload"], "uniform");
    assert!(json["version"].is_string() && json["command"].is_string());
}

#[test]
fn stdout_table_has_one_row_per_strategy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let o = shardbench(&[
        "--workload",
        "uniform",
        "--events",
        "100k",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
        "--strategies",
        "hash,jump",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("max/mean") && text.contains("headroom"),
        "{text}"
    );
    let rows = text
        .lines()
        .filter(|l| l.starts_with("hash ") || l.starts_with("jump "))
        .count();
    assert_eq!(rows, 2, "{text}");
}

#[test]
fn twitter_shows_the_celebrity_hot_spot_and_its_relief() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(
        dir.path(),
        &[
            "--workload",
            "twitter",
            "--events",
            "1M",
            "--no-charts",
            "--strategies",
            "hash,salted,directory",
        ],
    );
    let s = csv_rows(&out.join("summary.csv"));
    let hash = cell(&s, "hash", "max_over_mean");
    let salted = cell(&s, "salted", "max_over_mean");
    let directory = cell(&s, "directory", "max_over_mean");
    assert!(
        hash > 1.5,
        "hash(user) should show a hot spot, max/mean = {hash}"
    );
    assert!(
        salted < hash * 0.8,
        "salting should relieve it: {salted} vs {hash}"
    );
    assert!(
        directory < hash * 0.8,
        "the directory should relieve it: {directory} vs {hash}"
    );

    // Fan-out on write costs more writes per post than the hybrid, and
    // the hybrid's timeline reads touch more partitions.
    let on_write = cell(&s, "hash", "write_amplification");
    let hybrid = cell(&s, "hash", "write_amplification_hybrid");
    assert!(on_write > 2.0 * hybrid, "{on_write} vs {hybrid}");
    let f = csv_rows(&out.join("fanout.csv"));
    let read = |q: &str| -> f64 {
        f.iter()
            .find(|r| r[0] == "hash" && r[1] == q)
            .map(|r| r[2].parse().unwrap())
            .unwrap()
    };
    assert_eq!(read("timeline_read"), 1.0);
    assert!(read("timeline_read+hybrid") > 1.5);
}

#[test]
fn timeseries_range_by_time_piles_writes_on_the_last_partition() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(
        dir.path(),
        &[
            "--workload",
            "timeseries",
            "--events",
            "4M",
            "--no-charts",
            "--strategies",
            "range_time,hash_sensor_time",
        ],
    );
    let s = csv_rows(&out.join("summary.csv"));
    assert!(cell(&s, "range_time", "max_over_mean") > 4.0);
    assert!(cell(&s, "hash_sensor_time", "max_over_mean") < 1.2);
    let parts = csv_rows(&out.join("partitions.csv"));
    let range: Vec<u64> = parts
        .iter()
        .filter(|r| r[0] == "range_time")
        .map(|r| r[2].parse().unwrap())
        .collect();
    let last = *range.last().unwrap();
    assert_eq!(
        last,
        *range.iter().max().unwrap(),
        "the last partition is the hottest"
    );
}

#[test]
fn results_are_identical_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let args = |t: &'static str, out: &Path| {
        let o = shardbench(&[
            "--workload",
            "twitter",
            "--events",
            "400k",
            "--threads",
            t,
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    let (a, b) = (dir.path().join("t1"), dir.path().join("t2"));
    args("1", &a);
    args("2", &b);
    let mut compared = 0;
    for entry in fs::read_dir(&a).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_str().unwrap();
        if name == "throughput.csv" || name == "run.json" {
            continue;
        }
        let (x, y) = (
            fs::read(a.join(name)).unwrap(),
            fs::read(b.join(name)).unwrap(),
        );
        assert!(x == y, "{name} differs between --threads 1 and --threads 2");
        compared += 1;
    }
    assert!(compared >= 4, "compared {compared} files");
}

#[test]
fn workload_file_runs_from_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let w = write_workload(dir.path(), SMALL);
    let out = run_ok(dir.path(), &["--workload", &w, "--no-charts"]);
    let s = csv_rows(&out.join("summary.csv"));
    assert_eq!(cell(&s, "hash_user", "events"), 50_000.0);
    assert_eq!(cell(&s, "hash_user", "partitions"), 8.0);
}

#[test]
fn list_shows_presets_and_strategies() {
    let o = shardbench(&["list"]);
    assert!(o.status.success());
    let text = stdout(&o);
    for name in [
        "twitter",
        "ecommerce",
        "timeseries",
        "uniform",
        "hash",
        "range",
        "ring",
        "jump",
        "rendezvous",
        "salted",
        "directory",
    ] {
        assert!(text.contains(name), "list lacks {name}");
    }
}

#[test]
fn help_explains_flags_with_defaults() {
    let o = shardbench(&["--help"]);
    assert!(o.status.success());
    let text = stdout(&o);
    for flag in [
        "--workload",
        "--events",
        "--partitions",
        "--seed",
        "--threads",
        "--strategies",
        "--out",
        "--quiet",
        "--traffic",
        "--no-charts",
        "default",
    ] {
        assert!(text.contains(flag), "help lacks {flag}");
    }
}

#[test]
fn unknown_workload_is_an_error() {
    assert_bad(
        &["--workload", "twiter"],
        &["--workload", "twiter", "twitter"],
    );
}

#[test]
fn unreadable_workload_file_is_an_error() {
    assert_bad(
        &["--workload", "/nonexistent/w.toml"],
        &["/nonexistent/w.toml"],
    );
}

#[test]
fn malformed_workload_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let w = write_workload(dir.path(), "name = \"x\"\n[fields\nuser = 1\n");
    assert_bad(&["--workload", &w], &["w.toml:2", "TOML"]);
}

#[test]
fn zero_key_space_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let w = write_workload(dir.path(), &SMALL.replace("n = 10000", "n = 0"));
    assert_bad(&["--workload", &w], &["w.toml:7", "fields.user.n"]);
}

#[test]
fn non_positive_exponent_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let w = write_workload(dir.path(), &SMALL.replace("s = 1.1", "s = -1"));
    assert_bad(&["--workload", &w], &["w.toml:7", "fields.user.s", "> 0"]);
}

#[test]
fn zero_partitions_is_an_error() {
    assert_bad(
        &["--workload", "uniform", "--partitions", "0"],
        &["--partitions", "1..="],
    );
    let dir = tempfile::tempdir().unwrap();
    let w = write_workload(
        dir.path(),
        &SMALL.replace("partitions = 8", "partitions = 0"),
    );
    assert_bad(&["--workload", &w], &["w.toml:5", "run.partitions"]);
}

#[test]
fn weights_summing_to_zero_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let w = write_workload(
        dir.path(),
        &SMALL.replace("weights = [1, 1]", "weights = [0, 0]"),
    );
    assert_bad(
        &["--workload", &w],
        &["w.toml:8", "fields.region.weights", "zero"],
    );
    let w = write_workload(
        dir.path(),
        &SMALL
            .replace("weight = 3", "weight = 0")
            .replace("weight = 1\n", "weight = 0\n"),
    );
    assert_bad(&["--workload", &w], &["ops", "zero"]);
}

#[test]
fn negative_or_unparsable_counts_are_errors() {
    assert_bad(&["--workload", "uniform", "--events", "-5"], &["--events"]);
    assert_bad(
        &["--workload", "uniform", "--events", "ten"],
        &["--events", "10M"],
    );
    assert_bad(&["--workload", "uniform", "--seed", "x"], &["--seed"]);
    assert_bad(&["--workload", "uniform", "--threads", "0"], &["--threads"]);
    let dir = tempfile::tempdir().unwrap();
    let w = write_workload(
        dir.path(),
        &SMALL.replace("events = 50000", "events = -50000"),
    );
    assert_bad(&["--workload", &w], &["w.toml:4", "run.events"]);
}

#[test]
fn unknown_strategy_is_an_error() {
    assert_bad(
        &["--workload", "uniform", "--strategies", "hash,nope"],
        &["--strategies", "nope", "jump"],
    );
    let dir = tempfile::tempdir().unwrap();
    let w = write_workload(
        dir.path(),
        &SMALL.replace("kind = \"hash\"", "kind = \"hashh\""),
    );
    assert_bad(&["--workload", &w], &["w.toml:16", "hashh", "rendezvous"]);
}

#[test]
fn key_field_outside_the_schema_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let w = write_workload(
        dir.path(),
        &SMALL.replace("key = \"user\"", "key = \"customer\""),
    );
    assert_bad(
        &["--workload", &w],
        &["w.toml:17", "customer", "user, region"],
    );
}

#[test]
fn missing_workload_flag_is_an_error() {
    assert_bad(&[], &["--workload", "twitter"]);
}

#[test]
fn systems_preset_gives_each_strategy_its_own_partition_count() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(
        dir.path(),
        &["--workload", "systems", "--events", "200k", "--no-charts"],
    );
    let s = csv_rows(&out.join("summary.csv"));
    assert_eq!(cell(&s, "kafka", "partitions"), 12.0);
    assert_eq!(cell(&s, "redis", "partitions"), 6.0);
    assert_eq!(cell(&s, "memcached", "partitions"), 3.0);
    let parts = csv_rows(&out.join("partitions.csv"));
    let redis_rows = parts.iter().filter(|r| r[0] == "redis").count();
    assert_eq!(redis_rows, 6);
}

#[test]
fn route_prints_kafka_partitions_and_hashes() {
    // Kafka's own test vector: murmur2("foobar") = -790332482; the
    // partition is (hash & 0x7fffffff) mod 10.
    let o = shardbench(&[
        "route",
        "--strategy",
        "kafka",
        "--partitions",
        "10",
        "--hash",
        "foobar",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = (-790332482i32 & 0x7fff_ffff) % 10;
    assert_eq!(stdout(&o), format!("foobar\t-790332482\t{expected}\n"));
}

#[test]
fn route_reads_keys_from_stdin_and_names_nodes() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_shardbench"))
        .args(["route", "--strategy", "redis", "--nodes", "m1,m2,m3"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{user1000}.following\nfoo\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    // Slot 3443 is in the first third (0-5460), slot 12182 in the last.
    assert_eq!(stdout(&o), "{user1000}.following\tm1\nfoo\tm3\n");
}

#[test]
fn route_rejects_a_bad_integer_key() {
    let o = shardbench(&["route", "--strategy", "mongodb", "--key-type", "int", "12x"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("12x") && err.trim_end().lines().count() == 1,
        "{err}"
    );
}

#[test]
fn trace_replay_runs_every_strategy_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("keys.txt");
    let keys: String = (0..5000)
        .map(|i| format!("user:{}\n", i * 7 % 1009))
        .collect();
    fs::write(&trace, keys).unwrap();
    let out = run_ok(
        dir.path(),
        &["--trace", trace.to_str().unwrap(), "--no-charts"],
    );
    let s = csv_rows(&out.join("summary.csv"));
    assert_eq!(s.len(), 1 + 13, "one row per strategy kind");
    assert_eq!(cell(&s, "kafka", "events"), 5000.0);

    fs::write(&trace, "a\nb\n\nc\n").unwrap();
    assert_bad(
        &["--trace", trace.to_str().unwrap()],
        &["keys.txt:3", "empty key"],
    );
}

#[test]
fn a_rerun_without_charts_leaves_no_stale_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(
        dir.path(),
        &[
            "--workload",
            "uniform",
            "--events",
            "50k",
            "--strategies",
            "hash",
        ],
    );
    assert!(out.join("load.png").is_file() && out.join("report.html").is_file());
    fs::write(out.join("notes.txt"), "mine").unwrap();
    run_ok(
        dir.path(),
        &[
            "--workload",
            "uniform",
            "--events",
            "50k",
            "--strategies",
            "hash",
            "--no-charts",
        ],
    );
    assert!(!out.join("load.png").exists() && !out.join("report.html").exists());
    assert!(out.join("summary.csv").is_file());
    assert!(
        out.join("notes.txt").is_file(),
        "files that are not results stay"
    );
}

#[test]
fn no_progress_bar_or_noise_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let o = shardbench(&[
        "--workload",
        "uniform",
        "--events",
        "2M",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(stderr(&o), "", "stderr must stay empty");
}

#[test]
fn write_balance_shows_big_customers_that_broadcasts_hide() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(
        dir.path(),
        &[
            "--workload",
            "ecommerce",
            "--events",
            "1M",
            "--no-charts",
            "--no-latency",
            "--strategies",
            "hash_customer,hash_order",
        ],
    );
    let s = csv_rows(&out.join("summary.csv"));
    let total = cell(&s, "hash_customer", "max_over_mean");
    let writes = cell(&s, "hash_customer", "write_max_over_mean");
    assert!(
        writes > total + 0.2,
        "writes {writes} vs all traffic {total}"
    );
    assert!(cell(&s, "hash_order", "write_max_over_mean") < 1.05);
}
