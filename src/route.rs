//! `shardbench route`: which partition a given key goes to, and why.
//!
//! Builds one registered strategy over a synthetic one-field workload
//! (field `key`, domain the whole u64 range, no sample) and routes keys
//! given on the command line, or read one per line from standard input.
//! A string key is presented the way a trace replay presents it: its raw
//! bytes (which the real systems' partitioners hash) and the value
//! [`key_value`] gives it (which the generic strategies see). With
//! `--key-type int` the key is a number instead: an i64 or u64 stored as
//! the field's value, without text.

use std::io::{BufRead, Write};

use crate::batch::{Batch, TextColumn};
use crate::error::{Error, Origin, Result, SpecError};
use crate::strategy::{self, BuildContext, KeySample, Strategy};
use crate::trace::key_value;
use crate::workload::{GenSpec, Params, StrategySpec, Workload};

/// Partitions when neither `--partitions` nor `--nodes` says.
pub const DEFAULT_PARTITIONS: u32 = 16;

/// The seed strategies are built with (it fixes Cassandra's random tokens).
pub const ROUTE_SEED: u64 = 0;

/// Where the synthetic workload and its options come from, in errors.
const ORIGIN: &str = "command line";

/// How keys are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyType {
    /// Keys are strings: raw bytes plus [`key_value`].
    #[default]
    String,
    /// Keys are integers (i64 or u64), fed as the field's value.
    Int,
}

/// The arguments of `shardbench route`.
#[derive(Clone, Debug, Default)]
pub struct RouteArgs {
    /// The strategy kind, such as `kafka` or `hash`.
    pub strategy: String,
    /// Number of partitions; defaults to the number of `--nodes`, else 16.
    pub partitions: Option<u32>,
    /// Also print the strategy's hash of each key.
    pub hash: bool,
    /// Whether keys are strings or integers.
    pub key_type: KeyType,
    /// Named nodes, `NAME` or `NAME=WEIGHT` (ketama).
    pub nodes: Option<Vec<String>>,
    /// Elasticsearch's `index.number_of_routing_shards`.
    pub routing_num_shards: Option<u32>,
    /// Keys to route; empty means read them from standard input.
    pub keys: Vec<String>,
}

/// Routes each key and prints `KEY\tPARTITION`, or `KEY\tHASH\tPARTITION`
/// with `--hash`; PARTITION is the node's name where the strategy names
/// its nodes. Keys come from `args.keys`, or else one per line of `input`
/// (a trailing `\r` is dropped).
///
/// ```text
/// $ shardbench route --strategy kafka --partitions 10 --hash foobar
/// foobar    -790332482    6
/// $ shardbench route --strategy redis --partitions 3 --hash '{user1000}.following'
/// {user1000}.following    3443    0
/// $ printf 'a\nb\n' | shardbench route --strategy ketama --nodes h1:11211=2,h2:11211
/// a    h1:11211
/// b    h1:11211
/// ```
///
/// (Columns are separated by one tab.)
pub fn run(args: &RouteArgs, input: &mut dyn BufRead, out: &mut dyn Write) -> Result<()> {
    let partitions = partitions(args)?;
    let workload = workload(args, partitions);
    let sample = KeySample::default();
    let ctx = BuildContext {
        workload: &workload,
        spec: &workload.strategies[0],
        partitions,
        base_partitions: partitions,
        sample: &sample,
        domain: (0, u64::MAX),
        seed: ROUTE_SEED,
    };
    let strategy = strategy::build(&ctx).map_err(|e| flag_error(&args.strategy, e))?;

    let names = match &args.nodes {
        Some(nodes) if args.strategy != "ketama" => {
            if let Some(w) = nodes.iter().find(|n| n.contains('=')) {
                let msg = format!(
                    "\"{w}\": only ketama honours node weights; name the nodes without =WEIGHT"
                );
                return Err(Error::flag("--nodes", msg));
            }
            Some(nodes.clone())
        }
        _ => None,
    };
    let mut router = Router {
        names,
        strategy: strategy.as_ref(),
        key_type: args.key_type,
        hash: args.hash,
        batch: Batch::new(1),
        line: Vec::new(),
    };
    if args.keys.is_empty() {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = input
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io("stdin", e))?;
            if n == 0 {
                break;
            }
            if buf.last() == Some(&b'\n') {
                buf.pop();
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
            }
            router.route(&buf, out)?;
        }
    } else {
        for key in &args.keys {
            router.route(key.as_bytes(), out)?;
        }
    }
    out.flush().map_err(|e| Error::io("stdout", e))
}

/// The partition count the flags ask for.
fn partitions(args: &RouteArgs) -> Result<u32> {
    let n = match (&args.nodes, args.partitions) {
        (Some(nodes), _) if nodes.is_empty() => {
            return Err(Error::flag(
                "--nodes",
                "give at least one node, as NAME or NAME=WEIGHT",
            ));
        }
        (Some(nodes), Some(p)) if p as usize != nodes.len() => {
            let msg = format!(
                "{p} partitions, but --nodes lists {} nodes; drop --partitions or make them agree",
                nodes.len()
            );
            return Err(Error::flag("--partitions", msg));
        }
        (Some(nodes), _) => nodes.len() as u32,
        (None, Some(p)) => p,
        (None, None) => DEFAULT_PARTITIONS,
    };
    if n == 0 {
        return Err(Error::flag("--partitions", "must be at least 1"));
    }
    Ok(n)
}

/// A one-field workload carrying the strategy spec the flags describe.
fn workload(args: &RouteArgs, partitions: u32) -> Workload {
    let mut params = Params::new("route", ORIGIN);
    // ketama builds its continuum from the nodes and their weights; for
    // every other strategy the nodes only name the partitions, in order.
    if let Some(nodes) = args.nodes.as_ref().filter(|_| args.strategy == "ketama") {
        let list = nodes
            .iter()
            .map(|n| toml::Value::String(n.clone()))
            .collect();
        params.set("nodes", toml::Value::Array(list));
    }
    if let Some(r) = args.routing_num_shards {
        params.set("routing_num_shards", toml::Value::Integer(r as i64));
    }
    // Only MongoDB distinguishes how a number is typed; elsewhere the key
    // type just decides what the record carries.
    if args.strategy == "mongodb" {
        let key_type = match args.key_type {
            KeyType::String => "string",
            KeyType::Int => "int",
        };
        params.set("key_type", toml::Value::String(key_type.to_string()));
    }
    let mut w = Workload::with_fields(ORIGIN, &[("key", GenSpec::Uniform { n: u64::MAX })]);
    w.run.partitions = partitions;
    w.run.seed = ROUTE_SEED;
    w.strategies.push(StrategySpec {
        partitions: None,
        name: args.strategy.clone(),
        kind: args.strategy.clone(),
        key: vec![0],
        key_names: vec!["key".to_string()],
        params,
        origin: Origin::default(),
    });
    w
}

/// Turns a build error about an option into an error about its flag.
fn flag_error(strategy: &str, e: SpecError) -> Error {
    let option = e.key.strip_prefix("route.").unwrap_or(&e.key);
    let flag = match option {
        "kind" => "--strategy",
        "partitions" => "--partitions",
        "nodes" => "--nodes",
        "routing_num_shards" => "--routing-num-shards",
        "key_type" => "--key-type",
        _ => return Error::Spec(e),
    };
    if e.message.starts_with("unknown option") {
        return Error::flag(
            flag,
            format!("strategy `{strategy}` does not use this flag"),
        );
    }
    Error::flag(flag, e.message)
}

/// Routes keys one at a time through a one-event batch.
struct Router<'a> {
    /// Names of the partitions, in order, from `--nodes`.
    names: Option<Vec<String>>,
    strategy: &'a dyn Strategy,
    key_type: KeyType,
    hash: bool,
    batch: Batch,
    line: Vec<u8>,
}

impl Router<'_> {
    /// Routes `key` and writes its output line.
    fn route(&mut self, key: &[u8], out: &mut dyn Write) -> Result<()> {
        self.load(key)?;
        let rec = self.batch.rec(0);
        let p = self.strategy.place(rec);

        self.line.clear();
        self.line.extend_from_slice(key);
        self.line.push(b'\t');
        if self.hash {
            let h = self.strategy.hash(rec);
            write!(self.line, "{h}\t").map_err(|e| Error::io("stdout", e))?;
        }
        let name = match &self.names {
            Some(names) => names.get(p as usize).map(String::as_str),
            None => self.strategy.node_name(p),
        };
        match name {
            Some(name) => self.line.extend_from_slice(name.as_bytes()),
            None => write!(self.line, "{p}").map_err(|e| Error::io("stdout", e))?,
        }
        self.line.push(b'\n');
        out.write_all(&self.line)
            .map_err(|e| Error::io("stdout", e))
    }

    /// Makes `key` the batch's only event.
    fn load(&mut self, key: &[u8]) -> Result<()> {
        let b = &mut self.batch;
        b.ops.clear();
        b.ops.push(0);
        b.cols[0].clear();
        match self.key_type {
            KeyType::String => {
                b.cols[0].push(key_value(key));
                let text = b.text[0].get_or_insert_with(TextColumn::default);
                text.clear();
                text.push(key);
            }
            KeyType::Int => {
                b.cols[0].push(parse_int(key)?);
                b.text[0] = None;
            }
        }
        Ok(())
    }
}

/// An integer key as the field value: an i64 (negative ones as their two's
/// complement bits) or a u64.
fn parse_int(key: &[u8]) -> Result<u64> {
    let text = std::str::from_utf8(key).unwrap_or_default();
    text.parse::<i64>()
        .map(|v| v as u64)
        .or_else(|_| text.parse::<u64>())
        .map_err(|_| {
            let shown = String::from_utf8_lossy(key);
            let msg = format!(
                "key \"{shown}\" is not an integer; with --key-type int every key must be \
                 an i64 or u64"
            );
            Error::flag("--key-type", msg)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(strategy: &str, keys: &[&str]) -> RouteArgs {
        RouteArgs {
            strategy: strategy.to_string(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            ..RouteArgs::default()
        }
    }

    fn output(args: &RouteArgs, stdin: &[u8]) -> Result<String> {
        let mut out = Vec::new();
        run(args, &mut &stdin[..], &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    fn flag_of(err: Error) -> (String, String) {
        match err {
            Error::Flag { flag, message } => (flag, message),
            other => panic!("expected a flag error, got {other}"),
        }
    }

    #[test]
    fn prints_key_and_partition_or_hash_too() {
        let mut a = args("kafka", &["foobar"]);
        a.partitions = Some(10);
        assert_eq!(output(&a, b"").unwrap(), "foobar\t6\n");
        a.hash = true;
        assert_eq!(output(&a, b"").unwrap(), "foobar\t-790332482\t6\n");
    }

    #[test]
    fn reads_keys_from_input_when_none_are_given() {
        let mut a = args("redis", &[]);
        a.partitions = Some(3);
        a.hash = true;
        let got = output(&a, b"somekey\r\nfoo{hash_tag}\n").unwrap();
        assert_eq!(got, "somekey\t11058\t2\nfoo{hash_tag}\t2515\t0\n");
    }

    #[test]
    fn named_nodes_are_printed_by_name() {
        let mut a = args("ketama", &["test"]);
        a.nodes = Some(vec![
            "127.0.0.1:11211=600".into(),
            "127.0.0.1:11212=400".into(),
        ]);
        a.hash = true;
        assert_eq!(
            output(&a, b"").unwrap(),
            "test\t3446378249\t127.0.0.1:11211\n"
        );
    }

    #[test]
    fn int_keys_are_bson_numbers_for_mongodb() {
        let mut a = args("mongodb", &["42", "-1"]);
        a.hash = true;
        a.key_type = KeyType::Int;
        let got = output(&a, b"").unwrap();
        let hashes: Vec<&str> = got.lines().map(|l| l.split('\t').nth(1).unwrap()).collect();
        assert_eq!(hashes, ["-944302157085130861", "1140205862565771219"]);
        a.key_type = KeyType::String;
        a.keys = vec!["abc".into()];
        assert!(
            output(&a, b"")
                .unwrap()
                .starts_with("abc\t8478485326885698097\t")
        );
    }

    #[test]
    fn generic_strategies_see_the_trace_value_of_a_key() {
        let mut a = args("hash", &["123", "user:7"]);
        a.hash = true;
        let got = output(&a, b"").unwrap();
        let lines: Vec<&str> = got.lines().collect();
        let h123 = crate::rng::mix64(123);
        let p123 = (h123 >> 32) % DEFAULT_PARTITIONS as u64;
        assert_eq!(lines[0], format!("123\t{h123}\t{p123}"));
        let huser = crate::rng::mix64(crate::batch::hash_bytes(b"user:7"));
        assert!(lines[1].starts_with(&format!("user:7\t{huser}\t")));
    }

    #[test]
    fn unknown_strategy_names_the_flag_and_lists_kinds() {
        let (flag, msg) = flag_of(output(&args("nope", &["k"]), b"").unwrap_err());
        assert_eq!(flag, "--strategy");
        assert!(msg.contains("kafka") && msg.contains("hash"), "{msg}");
    }

    #[test]
    fn flags_a_strategy_does_not_use_are_rejected() {
        let mut a = args("hash", &["k"]);
        a.nodes = Some(vec!["a=2".into(), "b".into()]);
        let (flag, msg) = flag_of(output(&a, b"").unwrap_err());
        assert_eq!(
            (flag.as_str(), msg.contains("ketama")),
            ("--nodes", true),
            "{msg}"
        );
        let mut a = args("kafka", &["k"]);
        a.routing_num_shards = Some(64);
        assert_eq!(
            flag_of(output(&a, b"").unwrap_err()).0,
            "--routing-num-shards"
        );
    }

    #[test]
    fn bad_values_name_their_flag() {
        let mut a = args("elasticsearch", &["k"]);
        a.partitions = Some(5);
        a.routing_num_shards = Some(12);
        assert_eq!(
            flag_of(output(&a, b"").unwrap_err()).0,
            "--routing-num-shards"
        );

        let mut a = args("kafka", &["k"]);
        a.partitions = Some(0);
        assert_eq!(flag_of(output(&a, b"").unwrap_err()).0, "--partitions");

        let mut a = args("ketama", &["k"]);
        a.nodes = Some(vec!["a".into()]);
        a.partitions = Some(2);
        assert_eq!(flag_of(output(&a, b"").unwrap_err()).0, "--partitions");

        a.partitions = None;
        a.nodes = Some(vec!["a=0".into()]);
        assert_eq!(flag_of(output(&a, b"").unwrap_err()).0, "--nodes");

        let mut a = args("redis", &["k"]);
        a.partitions = Some(20_000);
        assert_eq!(flag_of(output(&a, b"").unwrap_err()).0, "--partitions");
    }

    #[test]
    fn non_integer_key_with_int_type_names_the_key() {
        let mut a = args("kafka", &["12", "x7"]);
        a.key_type = KeyType::Int;
        let (flag, msg) = flag_of(output(&a, b"").unwrap_err());
        assert_eq!(flag, "--key-type");
        assert!(msg.contains("\"x7\""), "{msg}");
    }

    #[test]
    fn int_keys_accept_the_whole_i64_and_u64_range() {
        assert_eq!(parse_int(b"-1").unwrap(), u64::MAX);
        assert_eq!(parse_int(b"18446744073709551615").unwrap(), u64::MAX);
        assert_eq!(parse_int(b"-9223372036854775808").unwrap(), 1 << 63);
        assert!(parse_int(b"18446744073709551616").is_err());
        assert!(parse_int(b"").is_err());
    }

    #[test]
    fn every_registered_strategy_routes_a_key() {
        for kind in strategy::REGISTRY {
            let got = output(&args(kind.name, &["user:1", ""]), b"").unwrap();
            assert_eq!(got.lines().count(), 2, "{}", kind.name);
        }
    }
}
