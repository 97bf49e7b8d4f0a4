//! `mongodb`: hashed sharding, with the initial chunks of a hashed key.
//!
//! A key's hash is MongoDB's `BSONElementHasher::hash64` with seed 0: the
//! first 8 bytes (little-endian, signed) of md5 over the seed (int32 LE),
//! the element's canonical type (int32 LE) and its value. All numbers —
//! int32, int64, double — share canonical type 10 and are hashed as the
//! int64 they convert to; strings have canonical type 15 and are hashed as
//! their BSON value: int32 LE length including the terminating NUL, the
//! bytes, then NUL.
//!
//! The N chunks are those MongoDB creates when it pre-splits a hashed
//! shard key into N initial chunks ([`split_points`]); chunk i lives on
//! partition i.
//!
//! Option `key_type`: `"string"` hashes the rendered key template as a
//! BSON string; `"int"` hashes the single template field's value as a BSON
//! int64 (the u64 reinterpreted as signed); `"auto"` (default) uses int64
//! for a bare `{field}` template whose record carries no text, and string
//! otherwise.

use crate::batch::Rec;
use crate::error::SpecError;
use crate::strategy::systems::template::KeyTemplate;
use crate::strategy::{BuildContext, HashValue, Strategy};

/// Canonical BSON type of every number.
const CANONICAL_NUMBER: i32 = 10;
/// Canonical BSON type of strings and symbols.
const CANONICAL_STRING: i32 = 15;
/// Seed of hashed indexes.
const DEFAULT_SEED: i32 = 0;

/// How the key is presented to the hasher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyType {
    Auto,
    String,
    Int,
}

/// A collection sharded on a hashed key.
pub struct MongoDb {
    key: KeyTemplate,
    key_type: KeyType,
    splits: Vec<i64>,
    n: u32,
}

/// Builds `mongodb`; options `template` and `key_type`.
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let params = &ctx.spec.params;
    let key = KeyTemplate::from_spec(ctx)?;
    let key_type = match params.choice("key_type", "auto", &["auto", "string", "int"])? {
        "string" => KeyType::String,
        "int" => KeyType::Int,
        _ => KeyType::Auto,
    };
    params.finish("mongodb")?;
    if key_type == KeyType::Int && key.single_field().is_none() {
        let msg = format!(
            "key_type = \"int\" hashes one field's value as a BSON int64, so the template must \
             be a single field such as \"{{id}}\"; got \"{}\"",
            key.source()
        );
        return Err(params.error("key_type", msg));
    }
    Ok(Box::new(MongoDb {
        key,
        key_type,
        splits: split_points(ctx.partitions),
        n: ctx.partitions,
    }))
}

/// `hash64` of a number element (int32, int64 or double holding `v`).
pub fn hash_int64(v: i64, seed: i32) -> i64 {
    let mut msg = [0u8; 16];
    msg[..4].copy_from_slice(&seed.to_le_bytes());
    msg[4..8].copy_from_slice(&CANONICAL_NUMBER.to_le_bytes());
    msg[8..].copy_from_slice(&v.to_le_bytes());
    first_eight(md5::compute(msg).0)
}

/// `hash64` of a string element holding `s`.
pub fn hash_string(s: &[u8], seed: i32) -> i64 {
    let mut ctx = md5::Context::new();
    ctx.consume(seed.to_le_bytes());
    ctx.consume(CANONICAL_STRING.to_le_bytes());
    ctx.consume((s.len() as i32 + 1).to_le_bytes());
    ctx.consume(s);
    ctx.consume([0u8]);
    first_eight(ctx.finalize().0)
}

fn first_eight(d: [u8; 16]) -> i64 {
    i64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// The split points MongoDB gives `chunks` initial chunks of a hashed key
/// (`calculateHashedSplitPoints`): with I = (i64::MAX / chunks) · 2,
/// an even count splits at 0, ±I, ±2I, …; an odd count at ±I/2, ±3I/2, …;
/// n − 1 points in all, sorted, symmetric around 0.
pub fn split_points(chunks: u32) -> Vec<i64> {
    if chunks <= 1 {
        return Vec::new();
    }
    let interval = (i64::MAX / chunks as i64) * 2;
    let mut splits = Vec::with_capacity(chunks as usize - 1);
    let mut current = if chunks.is_multiple_of(2) {
        splits.push(0);
        interval
    } else {
        interval / 2
    };
    for _ in 0..(chunks - 1) / 2 {
        splits.push(current);
        splits.push(-current);
        current = current.wrapping_add(interval);
    }
    splits.sort_unstable();
    splits
}

impl MongoDb {
    /// The hash of `rec`'s key under the configured key type.
    fn key_hash(&self, rec: Rec<'_>) -> i64 {
        let as_int = match (self.key_type, self.key.single_field()) {
            (KeyType::Int, Some(f)) => Some(f),
            (KeyType::Auto, Some(f)) if rec.text(f).is_none() => Some(f),
            _ => None,
        };
        match as_int {
            Some(f) => hash_int64(rec.field(f) as i64, DEFAULT_SEED),
            None => self.key.with_key(rec, |k| hash_string(k, DEFAULT_SEED)),
        }
    }

    /// The chunk holding `hash`: chunks are min-inclusive, max-exclusive.
    fn chunk(&self, hash: i64) -> u32 {
        self.splits.partition_point(|&s| s <= hash) as u32
    }
}

impl Strategy for MongoDb {
    fn partitions(&self) -> u32 {
        self.n
    }

    fn place(&self, rec: Rec<'_>) -> u32 {
        self.chunk(self.key_hash(rec))
    }

    fn hash(&self, rec: Rec<'_>) -> HashValue {
        HashValue::I64(self.key_hash(rec))
    }

    fn key_fields(&self) -> &[usize] {
        self.key.fields()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MongoDB's BSONElementHasher unit tests (src/mongo/db/hasher_test.cpp,
    /// `HashIntOrLongOrDouble`): int32, int64 and double forms of each
    /// value hash alike; these are the int64 forms.
    #[test]
    fn numbers_match_mongodb_hasher_test() {
        let cases = [
            (42, -944302157085130861),
            (0, 4854801880128277513),
            (1, 5902408780260971510),
            (-1, 1140205862565771219),
            (i32::MIN as i64, 6165898260261354870),
            (i32::MAX as i64, 1143184177162245883),
            (i64::MAX, 921523596458303250),
            (i64::MIN, 4532067210535695462),
        ];
        for (v, want) in cases {
            assert_eq!(hash_int64(v, 0), want, "{v}");
        }
    }

    /// hasher_test.cpp `HashString`: "abc" and the empty string.
    #[test]
    fn strings_match_mongodb_hasher_test() {
        assert_eq!(hash_string(b"abc", 0), 8478485326885698097);
        assert_eq!(hash_string(b"", 0), 2049396243249673340);
    }

    /// MongoDB's jstests/core/hash.js (`_hashBSONElement` with seed 1; the
    /// "hashthis" value is also the example in src/mongo/db/commands/
    /// hashcmd.cpp): a string, 0, 2^63 − 2^10 and its negation, and the
    /// extremes of NumberLong.
    #[test]
    fn seeded_hashes_match_mongodb_jstest() {
        assert_eq!(hash_string(b"hashthis", 1), 6271151123721111923);
        assert_eq!(hash_int64(0, 1), 5574369198691456941);
        let below_2_63 = i64::MAX - 1023; // 2^63 − 2^10
        assert_eq!(hash_int64(below_2_63, 1), -3954856262017896439);
        assert_eq!(hash_int64(-below_2_63, 1), -1762411739488908479);
        assert_eq!(hash_int64(i64::MAX, 1), 1136124329541638701);
        assert_eq!(hash_int64(i64::MIN, 1), 5744114172487291558);
    }

    #[test]
    fn split_points_are_symmetric_and_even() {
        assert!(split_points(1).is_empty());
        assert_eq!(split_points(2), vec![0]);
        let i4 = (i64::MAX / 4) * 2;
        assert_eq!(split_points(4), vec![-i4, 0, i4]);
        let i3 = (i64::MAX / 3) * 2;
        assert_eq!(split_points(3), vec![-i3 / 2, i3 / 2]);
        for n in 1..200u32 {
            let s = split_points(n);
            assert_eq!(s.len(), n as usize - 1);
            assert!(s.windows(2).all(|w| w[0] < w[1]));
            assert!(s.iter().zip(s.iter().rev()).all(|(a, b)| *a == -*b));
        }
    }

    #[test]
    fn chunks_are_min_inclusive() {
        let m = MongoDb {
            key: KeyTemplate::parse("{k}", &["k"]).unwrap(),
            key_type: KeyType::Auto,
            splits: split_points(4),
            n: 4,
        };
        let i4 = (i64::MAX / 4) * 2;
        assert_eq!(m.chunk(i64::MIN), 0);
        assert_eq!(m.chunk(-i4 - 1), 0);
        assert_eq!(m.chunk(-i4), 1);
        assert_eq!(m.chunk(-1), 1);
        assert_eq!(m.chunk(0), 2);
        assert_eq!(m.chunk(i4), 3);
        assert_eq!(m.chunk(i64::MAX), 3);
    }

    #[test]
    fn non_ascii_and_binary_strings_hash_their_bytes() {
        let mut ctx = md5::Context::new();
        ctx.consume([0, 0, 0, 0, 15, 0, 0, 0, 4, 0, 0, 0, 0xff, 0x00, 0x80, 0x00]);
        let d = ctx.finalize().0;
        assert_eq!(hash_string(&[0xff, 0x00, 0x80], 0), first_eight(d));
        assert_ne!(hash_string("é".as_bytes(), 0), hash_string(b"e", 0));
    }
}
