//! `ketama`: libketama's consistent hashing, as memcached clients use it.
//!
//! Each server contributes points to a 32-bit continuum: for k in
//! 0..ks it takes md5("NAME-k") and reads its 16 bytes as four
//! little-endian u32 points, where ks = floorf(pct · 40.0 · S) with pct =
//! weight / total weight and S servers, evaluated in libketama's mix of
//! single and double precision. Equal weights give every server 40
//! digests, 160 points (39 digests for a few server counts, such as 61,
//! where the single-precision ratio rounds low). A key's point is the
//! first four bytes of md5(key), little-endian; its server owns the first
//! point ≥ it, wrapping to the first point of the continuum.
//!
//! Servers come from the option `nodes = ["10.0.1.1:11211=600", ...]`: a
//! name, optionally followed by `=WEIGHT` (a positive integer, libketama's
//! memory column; default 1). Without `nodes` the servers are named
//! `node0`, `node1`, … with weight 1. Points that collide are ordered by
//! server position (libketama leaves their order to `qsort`).

use crate::batch::Rec;
use crate::error::SpecError;
use crate::strategy::systems::template::KeyTemplate;
use crate::strategy::{BuildContext, HashValue, Strategy};

/// Digests per server at equal weights; each gives four points.
const DIGESTS_PER_SERVER: f64 = 40.0;

/// A ketama continuum.
pub struct Ketama {
    key: KeyTemplate,
    /// (point, server), sorted.
    points: Vec<(u32, u32)>,
    names: Vec<String>,
}

/// One server of the continuum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    /// The name hashed into points, such as `10.0.1.1:11211`.
    pub name: String,
    /// The relative weight (libketama's memory), ≥ 1.
    pub weight: u64,
}

/// Builds `ketama`; options `template` and `nodes` (one entry per partition).
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let params = &ctx.spec.params;
    let key = KeyTemplate::from_spec(ctx)?;
    let n = ctx.partitions;
    let servers = match params.string_list("nodes")? {
        None => (0..n)
            .map(|i| Server {
                name: format!("node{i}"),
                weight: 1,
            })
            .collect(),
        Some(entries) => {
            let mut servers = parse_nodes(&entries).map_err(|msg| params.error("nodes", msg))?;
            let base = ctx.base_partitions;
            if servers.len() != base as usize {
                let msg = format!(
                    "lists {} servers but the strategy has {base} partitions; \
                     give one entry per partition",
                    servers.len()
                );
                return Err(params.error("nodes", msg));
            }
            // Resized to measure movement: a new node joins, or the last leaves.
            servers.truncate(n as usize);
            while servers.len() < n as usize {
                let name = format!("node{}", servers.len());
                servers.push(Server { name, weight: 1 });
            }
            servers
        }
    };
    params.finish("ketama")?;
    Ok(Box::new(Ketama {
        key,
        points: continuum(&servers),
        names: servers.into_iter().map(|s| s.name).collect(),
    }))
}

/// Parses `NAME` or `NAME=WEIGHT` entries; names must be distinct and
/// non-empty, weights positive integers.
pub fn parse_nodes(entries: &[String]) -> Result<Vec<Server>, String> {
    let mut servers: Vec<Server> = Vec::with_capacity(entries.len());
    for entry in entries {
        let (name, weight) = match entry.rsplit_once('=') {
            None => (entry.as_str(), 1),
            Some((name, w)) => match w.parse::<u64>() {
                Ok(w) if w > 0 => (name, w),
                _ => {
                    return Err(format!(
                        "\"{entry}\": the weight after `=` must be a positive integer"
                    ));
                }
            },
        };
        if name.is_empty() {
            return Err(format!(
                "\"{entry}\": a server needs a name, such as host:port"
            ));
        }
        if servers.iter().any(|s| s.name == name) {
            return Err(format!("server \"{name}\" is listed twice"));
        }
        servers.push(Server {
            name: name.to_string(),
            weight,
        });
    }
    if servers.is_empty() {
        return Err("needs at least one server".to_string());
    }
    Ok(servers)
}

/// Number of md5 digests (four points each) libketama gives a server of
/// `weight` out of `total` among `servers` servers:
/// floorf((float)(weight / total) · 40.0 · (float)servers), where the
/// ratio is single precision, the products double, and floorf rounds its
/// argument to single precision first.
pub fn digests(weight: u64, total: u64, servers: usize) -> u32 {
    let pct = weight as f32 / total as f32;
    let product = pct as f64 * DIGESTS_PER_SERVER * (servers as f32) as f64;
    (product as f32).floor() as u32
}

/// The sorted continuum of `servers`: (point, server index).
pub fn continuum(servers: &[Server]) -> Vec<(u32, u32)> {
    let total: u64 = servers.iter().map(|s| s.weight).sum();
    let mut points = Vec::new();
    let mut label = String::new();
    for (i, server) in servers.iter().enumerate() {
        for k in 0..digests(server.weight, total, servers.len()) {
            label.clear();
            label.push_str(&server.name);
            label.push('-');
            label.push_str(&k.to_string());
            let digest = md5::compute(label.as_bytes()).0;
            for word in digest.chunks_exact(4) {
                let point = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
                points.push((point, i as u32));
            }
        }
    }
    points.sort_unstable();
    points
}

/// libketama's `ketama_hashi`: the first four bytes of md5(key) as a
/// little-endian u32.
pub fn key_point(key: &[u8]) -> u32 {
    let d = md5::compute(key).0;
    u32::from_le_bytes([d[0], d[1], d[2], d[3]])
}

/// Index into `points` of the point serving `point`: the first ≥ it,
/// wrapping to 0 past the last.
pub fn lookup(points: &[(u32, u32)], point: u32) -> usize {
    let i = points.partition_point(|&(p, _)| p < point);
    if i == points.len() { 0 } else { i }
}

impl Strategy for Ketama {
    fn partitions(&self) -> u32 {
        self.names.len() as u32
    }

    fn place(&self, rec: Rec<'_>) -> u32 {
        let h = self.key.with_key(rec, key_point);
        self.points[lookup(&self.points, h)].1
    }

    fn hash(&self, rec: Rec<'_>) -> HashValue {
        HashValue::U32(self.key.with_key(rec, key_point))
    }

    fn key_fields(&self) -> &[usize] {
        self.key.fields()
    }

    fn node_name(&self, p: u32) -> Option<&str> {
        self.names.get(p as usize).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    fn servers(list: &[(&str, u64)]) -> Vec<Server> {
        list.iter()
            .map(|&(name, weight)| Server {
                name: name.to_string(),
                weight,
            })
            .collect()
    }

    /// libketama's Python binding tests (python_ketama/tests.py in
    /// RJ/ketama): servers 127.0.0.1:11211 (600) and 127.0.0.1:11212 (400)
    /// give 320 points; hashi("test") = 3446378249, and "test" is served
    /// by point 3454255383 of 127.0.0.1:11211.
    #[test]
    fn continuum_matches_python_ketama_tests() {
        let list = servers(&[("127.0.0.1:11211", 600), ("127.0.0.1:11212", 400)]);
        let points = continuum(&list);
        assert_eq!(points.len(), 160 * 2);
        assert_eq!(key_point(b"test"), 3446378249);
        let (point, server) = points[lookup(&points, key_point(b"test"))];
        assert_eq!(
            (point, list[server as usize].name.as_str()),
            (3454255383, "127.0.0.1:11211")
        );
    }

    /// Couchbase SDK RFC 26 (couchbaselabs/sdk-rfcs, rfc/0026-ketama-hashing.md
    /// and rfc/ketama-hashes.json): the expected continuum of four equal
    /// servers 192.168.1.101..104:11210; the first and last points.
    #[test]
    fn continuum_matches_couchbase_rfc_points() {
        let names = [
            "192.168.1.101:11210",
            "192.168.1.102:11210",
            "192.168.1.103:11210",
            "192.168.1.104:11210",
        ];
        let list = servers(&names.map(|n| (n, 1)));
        let points = continuum(&list);
        assert_eq!(points.len(), 640);
        let first = [
            (19069626, "192.168.1.104:11210"),
            (28439255, "192.168.1.101:11210"),
            (36078660, "192.168.1.104:11210"),
            (46162273, "192.168.1.104:11210"),
            (54096687, "192.168.1.104:11210"),
            (73548791, "192.168.1.102:11210"),
            (78634244, "192.168.1.102:11210"),
            (80168850, "192.168.1.104:11210"),
        ];
        for (i, (point, name)) in first.into_iter().enumerate() {
            assert_eq!(points[i].0, point);
            assert_eq!(list[points[i].1 as usize].name, name);
        }
        let last = [
            (4280309254, "192.168.1.102:11210"),
            (4281097143, "192.168.1.102:11210"),
            (4294628205, "192.168.1.102:11210"),
        ];
        for (j, (point, name)) in last.into_iter().enumerate() {
            let i = points.len() - last.len() + j;
            assert_eq!(points[i].0, point);
            assert_eq!(list[points[i].1 as usize].name, name);
        }
    }

    /// libketama's own regression harness (libketama/test.sh and
    /// ketama_test.c in RJ/ketama): with the weighted servers of its
    /// ketama.servers file, the output of 1,000,000 lookups of the keys
    /// "0".."999999" — an empty error line, then "HASH POINT SERVER" per
    /// key — has md5 5672b131391f5aa2b280936aec1eea74.
    #[test]
    fn lookups_match_libketama_test_harness() {
        let list = servers(&[
            ("10.0.1.1:11211", 600),
            ("10.0.1.2:11211", 300),
            ("10.0.1.3:11211", 200),
            ("10.0.1.4:11211", 350),
            ("10.0.1.5:11211", 1000),
            ("10.0.1.6:11211", 800),
            ("10.0.1.7:11211", 950),
            ("10.0.1.8:11211", 100),
        ]);
        let points = continuum(&list);
        let mut out = md5::Context::new();
        out.consume(b"\n");
        let (mut key, mut line) = (String::new(), String::new());
        for i in 0..1_000_000u32 {
            key.clear();
            write!(key, "{i}").unwrap();
            let h = key_point(key.as_bytes());
            let (point, server) = points[lookup(&points, h)];
            line.clear();
            writeln!(line, "{h} {point} {}", list[server as usize].name).unwrap();
            out.consume(line.as_bytes());
        }
        assert_eq!(
            format!("{:x}", out.finalize()),
            "5672b131391f5aa2b280936aec1eea74"
        );
    }

    /// At equal weights libketama's float arithmetic gives 40 digests,
    /// except for the server counts where pct = (float)(1/S) rounds low
    /// enough that the product stays below 40 in single precision: those
    /// servers get 39 (156 points). The exceptions up to 1000 are what the
    /// C expression evaluates to with IEEE float and double (x86-64 SSE).
    #[test]
    fn equal_weights_follow_libketama_float_arithmetic() {
        let short = [61, 122, 237, 244, 474, 488, 933, 948, 951, 953, 976];
        for s in 1..=1000usize {
            let want = if short.contains(&s) { 39 } else { 40 };
            assert_eq!(digests(1, s as u64, s), want, "{s} servers");
        }
        // The weighted servers of libketama's ketama.servers file.
        let weights = [600, 300, 200, 350, 1000, 800, 950, 100];
        let got = weights.map(|w| digests(w, 4300, 8));
        assert_eq!(got, [44, 22, 14, 26, 74, 59, 70, 7]);
    }

    #[test]
    fn lookup_wraps_past_the_last_point() {
        let points = [(10, 0), (20, 1), (30, 2)];
        let owner = |h| points[lookup(&points, h)].1;
        assert_eq!(owner(0), 0);
        assert_eq!(owner(10), 0);
        assert_eq!(owner(11), 1);
        assert_eq!(owner(30), 2);
        assert_eq!(owner(31), 0);
        assert_eq!(owner(u32::MAX), 0);
    }

    #[test]
    fn nodes_parse_names_and_weights() {
        let entries = ["a:11211=2", "b", "c=d=3"].map(String::from);
        let parsed = parse_nodes(&entries).unwrap();
        assert_eq!(parsed, servers(&[("a:11211", 2), ("b", 1), ("c=d", 3)]));
        for bad in [&["a=0"][..], &["a=x"], &["=3"], &["a", "a=2"], &[]] {
            let bad: Vec<String> = bad.iter().map(|s| s.to_string()).collect();
            assert!(parse_nodes(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn empty_and_binary_keys_hash_like_md5() {
        // md5("") = d41d8cd98f00b204e9800998ecf8427e (RFC 1321 test suite).
        assert_eq!(key_point(b""), u32::from_le_bytes([0xd4, 0x1d, 0x8c, 0xd9]));
        let d = md5::compute([0xff, 0x00, 0x80]).0;
        assert_eq!(
            key_point(&[0xff, 0x00, 0x80]),
            u32::from_le_bytes([d[0], d[1], d[2], d[3]])
        );
    }
}
