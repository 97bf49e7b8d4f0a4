//! `kafka`: the Java producer's default partitioner for keyed records.
//!
//! partition = toPositive(murmur2(key bytes)) mod N, where murmur2 is the
//! 32-bit MurmurHash2 variant of Kafka's `Utils.murmur2` (seed 0x9747b28c)
//! and toPositive(h) = h & 0x7fffffff. The key bytes are the rendered key
//! template, as a `StringSerializer` would produce them.

use crate::batch::Rec;
use crate::error::SpecError;
use crate::strategy::systems::template::KeyTemplate;
use crate::strategy::{BuildContext, HashValue, Strategy};

/// Kafka's default partitioner.
pub struct Kafka {
    key: KeyTemplate,
    n: u32,
}

/// Builds `kafka`; its only option is `template`.
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let key = KeyTemplate::from_spec(ctx)?;
    ctx.spec.params.finish("kafka")?;
    Ok(Box::new(Kafka {
        key,
        n: ctx.partitions,
    }))
}

/// Kafka's `Utils.murmur2`: MurmurHash2 (32-bit) with seed 0x9747b28c,
/// m = 0x5bd1e995, r = 24, reading 4-byte little-endian words, returned
/// as Java's signed `int`.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;

    let mut h = SEED ^ data.len() as u32;
    let mut words = data.chunks_exact(4);
    for w in &mut words {
        let mut k = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M) ^ k;
    }

    let tail = words.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u32) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }

    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// The partition Kafka's default partitioner picks for `key` among `n`.
pub fn partition(key: &[u8], n: u32) -> u32 {
    (murmur2(key) & 0x7fff_ffff) as u32 % n
}

impl Strategy for Kafka {
    fn partitions(&self) -> u32 {
        self.n
    }

    fn place(&self, rec: Rec<'_>) -> u32 {
        self.key.with_key(rec, |k| partition(k, self.n))
    }

    fn hash(&self, rec: Rec<'_>) -> HashValue {
        HashValue::I32(self.key.with_key(rec, murmur2))
    }

    fn key_fields(&self) -> &[usize] {
        self.key.fields()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Apache Kafka's own vectors: `UtilsTest.testMurmur2` in
    /// clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java.
    #[test]
    fn murmur2_matches_kafka_utils_test() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973932308),
            (b"foobar", -790332482),
            (b"a-little-bit-long-string", -985981536),
            (b"a-little-bit-longer-string", -1486304829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58897971,
            ),
            (b"abc", 479470107),
        ];
        for (key, want) in cases {
            assert_eq!(murmur2(key), want, "{}", String::from_utf8_lossy(key));
        }
    }

    #[test]
    fn partition_is_to_positive_mod_n() {
        // toPositive(-790332482) = 1357151166; 1357151166 mod 10 = 6.
        assert_eq!(partition(b"foobar", 10), 6);
        for key in [&b""[..], b"\xff\xfe\x80", "ключ".as_bytes()] {
            let p = partition(key, 7);
            assert_eq!(p, (murmur2(key) as u32 & 0x7fff_ffff) % 7);
        }
    }
}
