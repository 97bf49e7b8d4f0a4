//! The command line: parses flags, checks them, and hands a validated
//! configuration to the library. Nothing here computes results.
//!
//! Every error is one line on stderr and exit status 2; help and version go
//! to stdout with status 0.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::engine::{self, RunOptions};
use crate::error::{Error, Result};
use crate::report::{self, RunConfig};
use crate::strategy::REGISTRY;
use crate::workload::{self, parse::parse_count, presets};

/// How will my keys land on my partitions, and what will it cost?
///
/// shardbench generates a skewed key stream from a workload, routes it
/// through each partitioning strategy, and reports balance, query fan-out,
/// data movement on resize and latency under load, as a table on stdout and
/// CSV, JSON and charts in the output folder.
#[derive(Debug, Parser)]
#[command(
    name = "shardbench",
    version,
    args_conflicts_with_subcommands = true,
    allow_negative_numbers = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the preset workloads and the strategy kinds, one line each.
    List,
    /// Print the partition each key lands on: KEY<TAB>PARTITION, or
    /// KEY<TAB>HASH<TAB>PARTITION with --hash. Keys come from the arguments,
    /// or one per line on stdin.
    Route(RouteCli),
}

/// Flags of `shardbench route`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
struct RouteCli {
    /// Strategy kind: a real system (kafka, redis, cassandra, elasticsearch,
    /// ketama, mongodb) or a generic one (hash, jump, ring, ...).
    #[arg(long, value_name = "NAME")]
    strategy: String,

    /// Number of partitions [default: the number of --nodes, else 16].
    #[arg(long, short = 'p', value_name = "N", value_parser = partitions)]
    partitions: Option<u32>,

    /// Also print the system's own hash of each key, in decimal.
    #[arg(long)]
    hash: bool,

    /// Read each key as a string or as a 64-bit integer.
    #[arg(long, value_name = "string|int", default_value = "string", value_parser = ["string", "int"])]
    key_type: String,

    /// Named nodes, NAME or NAME=WEIGHT, comma-separated; PARTITION is then
    /// the node's name.
    #[arg(long, value_name = "NAME[=WEIGHT],..", value_delimiter = ',')]
    nodes: Option<Vec<String>>,

    /// Elasticsearch's index.number_of_routing_shards
    /// [default: Elasticsearch's own rule].
    #[arg(long, value_name = "M", value_parser = partitions)]
    routing_num_shards: Option<u32>,

    /// Keys to route [default: one per line on stdin].
    #[arg(value_name = "KEY")]
    keys: Vec<String>,
}

/// Flags of a run.
#[derive(Debug, Args)]
struct RunArgs {
    /// Workload: a preset name (see `shardbench list`) or a TOML file.
    #[arg(long, short = 'w', value_name = "NAME|PATH")]
    workload: Option<String>,

    /// Replay the keys of FILE (one per line, or --trace-column of a CSV;
    /// .gz accepted) through every strategy kind, instead of a workload.
    #[arg(long, value_name = "FILE", conflicts_with = "workload")]
    trace: Option<PathBuf>,

    /// With --trace: the CSV column (by header name) holding the keys.
    #[arg(long, value_name = "NAME", requires = "trace")]
    trace_column: Option<String>,

    /// Events to generate, such as 10M, 1e9 or 1_000_000
    /// [default: the workload's, else 10M].
    #[arg(long, short = 'n', value_name = "N", value_parser = count)]
    events: Option<u64>,

    /// Number of partitions [default: the workload's, else 64].
    #[arg(long, short = 'p', value_name = "N", value_parser = partitions)]
    partitions: Option<u32>,

    /// Seed of every random draw [default: the workload's, else 42].
    #[arg(long, value_name = "S", value_parser = count)]
    seed: Option<u64>,

    /// Worker threads; results are identical at any count
    /// [default: all cores].
    #[arg(long, short = 't', value_name = "T", value_parser = threads)]
    threads: Option<usize>,

    /// Compare only these strategies: names from the workload or kinds,
    /// comma-separated [default: the workload's list].
    #[arg(long, short = 's', value_name = "A,B,..", value_delimiter = ',')]
    strategies: Option<Vec<String>>,

    /// Multiply the workload's offered traffic by X for the latency model;
    /// 10 asks what happens at ten times the load [default: 1].
    #[arg(long, value_name = "X", value_parser = multiplier)]
    traffic: Option<f64>,

    /// Output folder [default: results/<workload>/].
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,

    /// Write numbers only: no charts and no HTML report.
    #[arg(long)]
    no_charts: bool,

    /// Skip the latency model.
    #[arg(long)]
    no_latency: bool,

    /// Print nothing on stdout and show no progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,

    /// Print how long each phase of the run took, on stderr.
    #[arg(long, short = 'v')]
    verbose: bool,
}

fn count(s: &str) -> std::result::Result<u64, String> {
    parse_count(s)
}

fn partitions(s: &str) -> std::result::Result<u32, String> {
    let max = workload::parse::MAX_PARTITIONS;
    match parse_count(s)? {
        0 => Err(format!(
            "expected a number of partitions in 1..={max}, got 0"
        )),
        p if p > max => Err(format!(
            "expected a number of partitions in 1..={max}, got {p}"
        )),
        p => Ok(p as u32),
    }
}

fn threads(s: &str) -> std::result::Result<usize, String> {
    match parse_count(s)? {
        t @ 1..=1024 => Ok(t as usize),
        t => Err(format!("expected a thread count in 1..=1024, got {t}")),
    }
}

fn multiplier(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!(
            "expected a positive number such as 1, 0.5 or 10, got \"{s}\""
        )),
    }
}

/// Parses `args` and runs; returns the process exit status.
pub fn main_with(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return 0;
            }
            let rendered = e.to_string();
            let line = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            let line = line.trim_start_matches("error: ");
            eprintln!("shardbench: {line}");
            return 2;
        }
    };
    match dispatch(cli) {
        Ok(()) => 0,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let msg = e.to_string().replace('\n', " ");
            eprintln!("shardbench: {msg}");
            2
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Some(Command::List) => list(),
        Some(Command::Route(r)) => route(r),
        None => run(cli.run),
    }
}

fn list() -> Result<()> {
    let mut out = String::from("Workloads (use --workload NAME, or a path to a TOML file):\n");
    for (name, _) in presets::PRESETS {
        let d = presets::describe(name).unwrap_or_default();
        out.push_str(&format!("  {name:<12} {d}\n"));
    }
    out.push_str("\nStrategy kinds (set per strategy in a workload's [strategies.NAME]):\n");
    for k in REGISTRY {
        out.push_str(&format!("  {:<14} {}\n", k.name, k.summary));
    }
    write_stdout(&out)
}

fn route(r: RouteCli) -> Result<()> {
    let args = crate::route::RouteArgs {
        strategy: r.strategy,
        partitions: r.partitions,
        hash: r.hash,
        key_type: if r.key_type == "int" {
            crate::route::KeyType::Int
        } else {
            crate::route::KeyType::String
        },
        nodes: r.nodes,
        routing_num_shards: r.routing_num_shards,
        keys: r.keys,
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    crate::route::run(&args, &mut input, &mut out)?;
    out.flush().map_err(|e| Error::io("stdout", e))
}

/// The workload of `--trace FILE`: the file's keys written through every
/// strategy kind, each with its default options.
fn trace_workload(path: &std::path::Path, column: Option<&str>) -> Result<workload::Workload> {
    let shown = path.display().to_string();
    std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let stem = path
        .file_name()
        .map(|n| n.to_string_lossy().trim_end_matches(".gz").to_string())
        .unwrap_or_else(|| "trace".to_string());
    let stem = stem.split('.').next().unwrap_or("trace").to_string();
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut text = format!(
        "name = {}\ndescription = {}\n[run]\npartitions = 16\n[fields]\nkey = {{ dist = \"trace\", path = {}{} }}\n\
         [ops.write]\nkind = \"write\"\nweight = 1\n",
        quote(&stem),
        quote(&format!("keys replayed from {shown}")),
        quote(&shown),
        column
            .map(|c| format!(", column = {}", quote(c)))
            .unwrap_or_default(),
    );
    for k in REGISTRY {
        text.push_str(&format!(
            "[strategies.{0}]\nkind = \"{0}\"\nkey = \"key\"\n",
            k.name
        ));
    }
    let label = format!("--trace {shown}");
    Ok(workload::parse::parse(&text, &label, &stem, &label)?)
}

fn write_stdout(s: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(s.as_bytes())
        .and_then(|_| stdout.flush())
        .map_err(|e| Error::io("stdout", e))
}

fn run(args: RunArgs) -> Result<()> {
    let mut w = match (&args.workload, &args.trace) {
        (Some(name), _) => presets::load(name)?,
        (None, Some(path)) => trace_workload(path, args.trace_column.as_deref())?,
        (None, None) => {
            let names: Vec<&str> = presets::PRESETS.iter().map(|(n, _)| *n).collect();
            let msg = format!(
                "required: a preset ({}) or a TOML file; or --trace FILE",
                names.join(", ")
            );
            return Err(Error::flag("--workload", msg));
        }
    };
    let replays = w
        .fields
        .iter()
        .any(|f| matches!(f.generator, workload::GenSpec::Trace { .. }));
    if let Some(names) = &args.strategies {
        w.strategies = workload::parse::select(&w.strategies, names)
            .map_err(|m| Error::flag("--strategies", m))?;
    }
    let opts = RunOptions {
        // A replayed trace runs to its end unless --events stops it sooner.
        events: args
            .events
            .unwrap_or(if replays { u64::MAX } else { w.run.events }),
        partitions: args.partitions.unwrap_or(w.run.partitions),
        seed: args.seed.unwrap_or(w.run.seed),
        threads: args.threads.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        }),
        traffic: args.traffic.unwrap_or(1.0),
        latency: !args.no_latency,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        verbose: args.verbose,
    };
    if opts.events == 0 {
        return Err(Error::flag("--events", "expected at least 1 event"));
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&w.name));

    let report = engine::run(&w, &opts)?;
    let config = RunConfig::new(&w, &opts, !args.no_charts);
    report::write_all(&report, &config, &out_dir, !args.no_charts)?;
    if !args.quiet {
        let table = report::table::render(&report);
        write_stdout(&format!("{table}\nwrote {}\n", out_dir.display()))?;
    }
    Ok(())
}
