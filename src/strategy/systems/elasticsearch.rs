//! `elasticsearch`: document routing to primary shards.
//!
//! shard = floorMod(h, routing_num_shards) / routing_factor, where h is
//! Elasticsearch's `Murmur3HashFunction.hash` of the routing value (the
//! key template): MurmurHash3 x86_32 with seed 0 over the UTF-16 code
//! units of the string, each written as two bytes little-endian, and
//! routing_factor = routing_num_shards / N. Keys that are not valid UTF-8
//! are decoded with U+FFFD replacements first, as a Java string would be.
//!
//! `routing_num_shards` defaults to Elasticsearch's rule for indices
//! created since 7.0 (see [`default_routing_num_shards`]).

use crate::batch::Rec;
use crate::error::SpecError;
use crate::strategy::systems::template::KeyTemplate;
use crate::strategy::{BuildContext, HashValue, Strategy};

/// An Elasticsearch index with N primary shards.
pub struct Elasticsearch {
    key: KeyTemplate,
    routing_num_shards: u32,
    routing_factor: u32,
    n: u32,
}

/// Builds `elasticsearch`; options `template` and `routing_num_shards` (a
/// multiple of N, at most 2^31 - 1).
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let params = &ctx.spec.params;
    let key = KeyTemplate::from_spec(ctx)?;
    let n = ctx.partitions;
    let max_routing = i32::MAX as u64;
    let default = default_routing_num_shards(n).ok_or_else(|| {
        params.error(
            "partitions",
            format!("{n} shards is too many: at most {}", 1 << 29),
        )
    })?;
    let routing = params.u64_in("routing_num_shards", default as u64, n as u64, max_routing)?;
    params.finish("elasticsearch")?;
    if !routing.is_multiple_of(n as u64) {
        let msg = format!(
            "must be a multiple of the number of shards ({n}); \
             the default for {n} shards is {default}"
        );
        return Err(params.error("routing_num_shards", msg));
    }
    Ok(Box::new(Elasticsearch {
        key,
        routing_num_shards: routing as u32,
        routing_factor: routing as u32 / n,
        n,
    }))
}

/// Elasticsearch's default `index.number_of_routing_shards` for `shards`
/// primaries (`MetadataCreateIndexService.calculateNumRoutingShards`, 7.0
/// and later): shards · 2^s with s = max(1, 10 − ceil(log2(shards))), the
/// largest such count ≤ 1024 that still allows one split. None when the
/// result would not fit a Java int.
pub fn default_routing_num_shards(shards: u32) -> Option<u32> {
    let ceil_log2 = 32 - shards.saturating_sub(1).leading_zeros();
    let splits = 10i32.saturating_sub(ceil_log2 as i32).max(1) as u32;
    let v = (shards as u64) << splits;
    (v <= i32::MAX as u64).then_some(v as u32)
}

/// MurmurHash3 x86_32 (Lucene's `StringHelper.murmurhash3_x86_32`).
pub fn murmur3_x86_32(data: &[u8], seed: u32) -> u32 {
    let mut h = Murmur3x86::new(seed);
    let mut blocks = data.chunks_exact(4);
    for b in &mut blocks {
        h.block(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    }
    let tail = blocks.remainder();
    let k = tail.iter().rev().fold(0u32, |k, &b| (k << 8) | b as u32);
    h.finish(k, tail.len(), data.len())
}

/// Elasticsearch's `Murmur3HashFunction.hash(String)` of a UTF-8 key: the
/// x86_32 hash (seed 0) of its UTF-16 code units, little-endian.
pub fn routing_hash(key: &[u8]) -> i32 {
    match std::str::from_utf8(key) {
        Ok(s) => hash_utf16(s.encode_utf16()),
        Err(_) => hash_utf16(String::from_utf8_lossy(key).encode_utf16()),
    }
}

/// The x86_32 hash of code units streamed as 2-byte little-endian pairs,
/// without materializing the bytes: two units make one 4-byte block.
fn hash_utf16(mut units: impl Iterator<Item = u16>) -> i32 {
    let mut h = Murmur3x86::new(0);
    let mut count = 0usize;
    loop {
        let Some(lo) = units.next() else {
            return h.finish(0, 0, 2 * count) as i32;
        };
        count += 1;
        let Some(hi) = units.next() else {
            return h.finish(lo as u32, 2, 2 * count) as i32;
        };
        count += 1;
        h.block(lo as u32 | (hi as u32) << 16);
    }
}

/// The running state of MurmurHash3 x86_32.
struct Murmur3x86 {
    h: u32,
}

impl Murmur3x86 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;

    fn new(seed: u32) -> Self {
        Self { h: seed }
    }

    fn mix(k: u32) -> u32 {
        k.wrapping_mul(Self::C1)
            .rotate_left(15)
            .wrapping_mul(Self::C2)
    }

    fn block(&mut self, k: u32) {
        self.h ^= Self::mix(k);
        self.h = self
            .h
            .rotate_left(13)
            .wrapping_mul(5)
            .wrapping_add(0xe654_6b64);
    }

    /// Mixes in the tail word `k` of `tail_len` bytes and finalizes over a
    /// message of `len` bytes.
    fn finish(mut self, k: u32, tail_len: usize, len: usize) -> u32 {
        if tail_len > 0 {
            self.h ^= Self::mix(k);
        }
        let mut h = self.h ^ len as u32;
        h ^= h >> 16;
        h = h.wrapping_mul(0x85eb_ca6b);
        h ^= h >> 13;
        h = h.wrapping_mul(0xc2b2_ae35);
        h ^ (h >> 16)
    }
}

impl Elasticsearch {
    /// The shard of a routing hash.
    fn shard(&self, hash: i32) -> u32 {
        hash.rem_euclid(self.routing_num_shards as i32) as u32 / self.routing_factor
    }
}

impl Strategy for Elasticsearch {
    fn partitions(&self) -> u32 {
        self.n
    }

    fn place(&self, rec: Rec<'_>) -> u32 {
        self.shard(self.key.with_key(rec, routing_hash))
    }

    fn hash(&self, rec: Rec<'_>) -> HashValue {
        HashValue::I32(self.key.with_key(rec, routing_hash))
    }

    fn key_fields(&self) -> &[usize] {
        self.key.fields()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(shards: u32, routing_num_shards: u32) -> Elasticsearch {
        Elasticsearch {
            key: KeyTemplate::parse("{k}", &["k"]).unwrap(),
            routing_num_shards,
            routing_factor: routing_num_shards / shards,
            n: shards,
        }
    }

    /// Elasticsearch's `Murmur3HashFunctionTests.testKnownValues`
    /// (server/src/test/java/org/elasticsearch/cluster/routing/operation/
    /// hash/murmur3/Murmur3HashFunctionTests.java).
    #[test]
    fn routing_hash_matches_elasticsearch_known_values() {
        let cases: [(u32, &str); 7] = [
            (0x5a0cb7c3, "hell"),
            (0xd7c31989, "hello"),
            (0x22ab2984, "hello w"),
            (0xdf0ca123, "hello wo"),
            (0xe7744d61, "hello wor"),
            (0xe07db09c, "The quick brown fox jumps over the lazy dog"),
            (0x4e63d2ad, "The quick brown fox jumps over the lazy cog"),
        ];
        for (want, key) in cases {
            assert_eq!(routing_hash(key.as_bytes()), want as i32, "{key}");
        }
    }

    /// Lucene's `TestStringHelper.testMurmurHash3` (values from pyfasthash)
    /// for the byte-level hash Elasticsearch calls.
    #[test]
    fn murmur3_x86_32_matches_lucene_vectors() {
        assert_eq!(murmur3_x86_32(b"foo", 0), 0xf6a5c420);
        assert_eq!(murmur3_x86_32(b"foo", 16), 0xcd018ef6);
        let weapons =
            b"You want weapons? We're in a library! Books! The best weapons in the world!";
        assert_eq!(murmur3_x86_32(weapons, 0), 0x111e7435);
        assert_eq!(murmur3_x86_32(weapons, 3476), 0x2c628cd0);
        assert_eq!(murmur3_x86_32(b"", 0), 0);
    }

    /// Non-ASCII routing values hash their UTF-16 code units, surrogate
    /// pairs included, as 2-byte little-endian units.
    #[test]
    fn non_ascii_keys_hash_their_utf16_code_units() {
        for key in ["é", "ключ", "日本語", "🔑x", "a🔑", ""] {
            let bytes: Vec<u8> = key.encode_utf16().flat_map(u16::to_le_bytes).collect();
            assert_eq!(
                routing_hash(key.as_bytes()),
                murmur3_x86_32(&bytes, 0) as i32,
                "{key}"
            );
        }
        // Invalid UTF-8 is read the way a Java decoder reads it: U+FFFD.
        assert_eq!(
            routing_hash(b"a\xffb"),
            routing_hash("a\u{fffd}b".as_bytes())
        );
    }

    /// `testBWC` of Elasticsearch's routing tests
    /// (server/src/test/java/org/elasticsearch/cluster/routing/
    /// IndexRoutingTests.java, formerly OperationRoutingTests.java): an
    /// index of 8 shards built directly, so routing_num_shards = 8.
    #[test]
    fn shards_match_elasticsearch_bwc_table() {
        let idx = index(8, 8);
        let cases = [
            ("sEERfFzPSI", 1),
            ("cNRiIrjzYd", 7),
            ("BgfLBXUyWT", 5),
            ("cnepjZhQnb", 3),
            ("OKCmuYkeCK", 6),
            ("OutXGRQUja", 5),
            ("yCdyocKWou", 1),
            ("KXuNWWNgVj", 2),
            ("DGJOYrpESx", 4),
            ("upLDybdTGs", 5),
            ("yhZhzCPQby", 1),
            ("EyCVeiCouA", 1),
            ("tFyVdQauWR", 6),
            ("nyeRYDnDQr", 6),
            ("hswhrppvDH", 0),
            ("BSiWvDOsNE", 5),
            ("YHicpFBSaY", 1),
            ("EquPtdKaBZ", 4),
            ("rSjLZHCDfT", 5),
            ("qoZALVcite", 7),
            ("yDCCPVBiCm", 7),
            ("ngizYtQgGK", 5),
            ("FYQRIBcNqz", 0),
            ("EBzEDAPODe", 2),
        ];
        for (key, want) in cases {
            assert_eq!(idx.shard(routing_hash(key.as_bytes())), want, "{key}");
        }
    }

    /// `MetadataCreateIndexServiceTests.testCalculateNumRoutingShards`
    /// (server/src/test/java/org/elasticsearch/cluster/metadata/), plus 5
    /// shards (640) and the overflow guard.
    #[test]
    fn default_routing_num_shards_matches_elasticsearch() {
        let cases = [
            (1, 1024),
            (2, 1024),
            (3, 768),
            (9, 576),
            (512, 1024),
            (1024, 2048),
            (2048, 4096),
        ];
        for (shards, want) in cases {
            assert_eq!(default_routing_num_shards(shards), Some(want), "{shards}");
        }
        assert_eq!(default_routing_num_shards(5), Some(640));
        assert_eq!(default_routing_num_shards(1 << 30), None);
    }

    #[test]
    fn shard_uses_floor_mod_then_routing_factor() {
        let idx = index(5, 640);
        assert_eq!(idx.shard(-1), 639 / 128);
        assert_eq!(idx.shard(i32::MIN), (i32::MIN.rem_euclid(640) / 128) as u32);
        assert_eq!(idx.shard(127), 0);
        assert_eq!(idx.shard(128), 1);
        assert_eq!(idx.shard(640 + 129), 1);
    }
}
