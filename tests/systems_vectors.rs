//! End-to-end checks of the real systems' partitioners through the public
//! API: `route` (flags → strategy → output) and `strategy::build` with key
//! templates. The expected values are the systems' published vectors; the
//! unit tests beside each system name their sources.

use shardbench::batch::{Batch, TextColumn};
use shardbench::error::Origin;
use shardbench::route::{self, KeyType, RouteArgs};
use shardbench::strategy::systems::redis;
use shardbench::strategy::{self, BuildContext, HashValue, KeySample};
use shardbench::workload::{GenSpec, Params, StrategySpec, Workload};

fn route_lines(args: RouteArgs) -> Vec<String> {
    let mut out = Vec::new();
    route::run(&args, &mut &b""[..], &mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn args(strategy: &str, partitions: u32, keys: &[&str]) -> RouteArgs {
    RouteArgs {
        strategy: strategy.to_string(),
        partitions: Some(partitions),
        hash: true,
        keys: keys.iter().map(|k| k.to_string()).collect(),
        ..RouteArgs::default()
    }
}

/// Kafka `UtilsTest.testMurmur2`, through `route`: toPositive(h) mod 8.
#[test]
fn kafka_route_matches_utils_test() {
    let got = route_lines(args("kafka", 8, &["21", "abc"]));
    let want_21 = (-973932308i32 & 0x7fff_ffff) % 8;
    let want_abc = 479470107 % 8;
    assert_eq!(
        got,
        [
            format!("21\t-973932308\t{want_21}"),
            format!("abc\t479470107\t{want_abc}")
        ]
    );
}

/// Redis CLUSTER KEYSLOT examples over a three-master cluster
/// (0-5460, 5461-10922, 10923-16383).
#[test]
fn redis_route_matches_cluster_keyslot() {
    let got = route_lines(args(
        "redis",
        3,
        &["somekey", "foo{hash_tag}", "{user1000}.following"],
    ));
    let slot = redis::key_slot(b"user1000");
    let master = if slot <= 5460 {
        0
    } else if slot <= 10922 {
        1
    } else {
        2
    };
    assert_eq!(
        got,
        [
            "somekey\t11058\t2".to_string(),
            "foo{hash_tag}\t2515\t0".to_string(),
            format!("{{user1000}}.following\t{slot}\t{master}"),
        ]
    );
}

/// DataStax drivers' Murmur3 tokens, through `route`.
#[test]
fn cassandra_route_prints_driver_tokens() {
    let got = route_lines(args("cassandra", 4, &["123", "9223372036854775807"]));
    assert!(
        got[0].starts_with("123\t-7468325962851647638\t"),
        "{}",
        got[0]
    );
    assert!(
        got[1].starts_with("9223372036854775807\t7162290910810015547\t"),
        "{}",
        got[1]
    );
}

/// Elasticsearch's routing BWC table (8 shards, routing_num_shards 8).
#[test]
fn elasticsearch_route_matches_bwc_table() {
    let mut a = args(
        "elasticsearch",
        8,
        &["sEERfFzPSI", "cNRiIrjzYd", "hswhrppvDH"],
    );
    a.hash = false;
    a.routing_num_shards = Some(8);
    assert_eq!(
        route_lines(a),
        ["sEERfFzPSI\t1", "cNRiIrjzYd\t7", "hswhrppvDH\t0"]
    );
}

/// libketama's Python binding test, through `route --nodes`.
#[test]
fn ketama_route_matches_python_ketama() {
    let mut a = args("ketama", 2, &["test"]);
    a.partitions = None;
    a.nodes = Some(vec![
        "127.0.0.1:11211=600".into(),
        "127.0.0.1:11212=400".into(),
    ]);
    assert_eq!(route_lines(a), ["test\t3446378249\t127.0.0.1:11211"]);
}

/// MongoDB hasher tests: the int 42 and the string "abc"; 42's hash is
/// negative, so with 2 chunks (split at 0) it lands on chunk 0.
#[test]
fn mongodb_route_matches_hasher_test() {
    let mut a = args("mongodb", 2, &["42"]);
    a.key_type = KeyType::Int;
    assert_eq!(route_lines(a), ["42\t-944302157085130861\t0"]);
    let got = route_lines(args("mongodb", 2, &["abc"]));
    assert_eq!(got, ["abc\t8478485326885698097\t1"]);
}

/// A two-field workload with one strategy of `kind` and `options`.
fn workload(kind: &str, options: &[(&str, toml::Value)]) -> Workload {
    let field = GenSpec::Uniform { n: 1000 };
    let mut w = Workload::with_fields(
        "test.toml",
        &[("user_id", field.clone()), ("region", field)],
    );
    let mut params = Params::new(format!("strategies.{kind}"), "test.toml");
    for (k, v) in options {
        params.set(k, v.clone());
    }
    w.strategies.push(StrategySpec {
        partitions: None,
        name: kind.to_string(),
        kind: kind.to_string(),
        key: vec![0],
        key_names: vec!["user_id".to_string()],
        params,
        origin: Origin::default(),
    });
    w
}

fn build(w: &Workload) -> Result<Box<dyn strategy::Strategy>, shardbench::error::SpecError> {
    let sample = KeySample::default();
    strategy::build(&BuildContext {
        workload: w,
        spec: &w.strategies[0],
        partitions: 3,
        base_partitions: 3,
        sample: &sample,
        domain: (0, 1000),
        seed: 1,
    })
}

/// A template with a Redis hash tag keeps a user's keys in one slot, and
/// a text field contributes its raw bytes.
#[test]
fn templates_spell_keys_from_fields_and_text() {
    let template = toml::Value::String("{{{user_id}}}:{region}".to_string());
    let w = workload("redis", &[("template", template)]);
    let s = build(&w).unwrap();
    assert_eq!(s.key_fields(), [0, 1]);

    let mut batch = Batch::new(2);
    batch.ops.push(0);
    batch.cols[0].push(1000);
    batch.cols[1].push(0);
    let mut region = TextColumn::default();
    region.push("eu-west-ü".as_bytes());
    batch.text[1] = Some(region);
    let want = redis::key_slot(b"1000");
    assert_eq!(s.hash(batch.rec(0)), HashValue::U32(want));
    assert_eq!(redis::key_slot("{1000}:eu-west-ü".as_bytes()), want);
}

#[test]
fn template_with_unknown_field_names_it_and_the_schema() {
    for kind in [
        "kafka",
        "redis",
        "cassandra",
        "elasticsearch",
        "ketama",
        "mongodb",
    ] {
        let w = workload(kind, &[("template", toml::Value::String("u:{uid}".into()))]);
        let err = build(&w).err().unwrap();
        assert!(err.key.ends_with(".template"), "{kind}: {}", err.key);
        assert!(err.message.contains("`uid`"), "{}", err.message);
        assert!(err.message.contains("user_id, region"), "{}", err.message);
    }
}

#[test]
fn mongodb_int_key_type_needs_a_bare_field_template() {
    let options = [
        ("template", toml::Value::String("user:{user_id}".into())),
        ("key_type", toml::Value::String("int".into())),
    ];
    let err = build(&workload("mongodb", &options)).err().unwrap();
    assert!(err.key.ends_with(".key_type"), "{}", err.key);
}

#[test]
fn misspelt_options_are_rejected() {
    let w = workload("cassandra", &[("num_token", toml::Value::Integer(16))]);
    let err = build(&w).err().unwrap();
    assert!(
        err.key.ends_with(".num_token") && err.message.contains("num_tokens"),
        "{err}"
    );
}
