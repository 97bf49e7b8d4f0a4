//! `cassandra`: Murmur3Partitioner tokens on a ring of virtual nodes.
//!
//! A key's token is the first 64 bits of Cassandra's MurmurHash3 x64_128
//! (seed 0) of the key bytes, as a signed long; Long.MIN_VALUE becomes
//! Long.MAX_VALUE, and the empty key has the minimum token. Each of the N
//! nodes owns `num_tokens` random tokens (vnodes), drawn like Cassandra's
//! random token allocation from the run seed; a key belongs to the node
//! holding the first token ≥ its token, wrapping past the largest.
//!
//! `num_tokens` defaults to 256, the default that went with random token
//! allocation (Cassandra 1.2 to 3.x). Cassandra 4.0's cassandra.yaml ships
//! 16 together with `allocate_tokens_for_local_replication_factor: 3`, an
//! allocation algorithm that balances ownership; that algorithm is not
//! modelled here, and 16 random tokens per node are far less balanced.

use crate::batch::Rec;
use crate::error::SpecError;
use crate::rng::{Rng, Stream};
use crate::strategy::systems::template::KeyTemplate;
use crate::strategy::{BuildContext, HashValue, Strategy};

/// Default vnodes per node.
pub const DEFAULT_NUM_TOKENS: u64 = 256;

/// Most vnodes per node accepted.
const MAX_NUM_TOKENS: u64 = 65_536;

/// The chunk of the build stream that token allocation draws from: its
/// own, so no other strategy built from the same seed shares its numbers.
const TOKEN_CHUNK: u64 = u64::from_le_bytes(*b"cassandr");

/// A Cassandra ring.
pub struct Cassandra {
    key: KeyTemplate,
    /// (token, node), sorted by token.
    ring: Vec<(i64, u32)>,
    n: u32,
}

/// Builds `cassandra`; options `template` and `num_tokens` (1..=65536,
/// default 256).
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let params = &ctx.spec.params;
    let key = KeyTemplate::from_spec(ctx)?;
    let num_tokens = params.u64_in("num_tokens", DEFAULT_NUM_TOKENS, 1, MAX_NUM_TOKENS)?;
    params.finish("cassandra")?;
    Ok(Box::new(Cassandra {
        key,
        ring: ring(ctx.partitions, num_tokens as u32, ctx.seed),
        n: ctx.partitions,
    }))
}

/// The ring of `nodes` nodes with `num_tokens` tokens each. Node 0 draws
/// its tokens first, then node 1, and so on, so a ring of N + 1 nodes keeps
/// every token of the ring of N. A token already taken is drawn again.
pub fn ring(nodes: u32, num_tokens: u32, seed: u64) -> Vec<(i64, u32)> {
    let mut rng = Rng::for_chunk(seed, Stream::Build, TOKEN_CHUNK);
    let mut taken = std::collections::BTreeSet::new();
    let mut ring = Vec::with_capacity(nodes as usize * num_tokens as usize);
    for node in 0..nodes {
        for _ in 0..num_tokens {
            let token = loop {
                let t = normalize(rng.next_u64() as i64);
                if taken.insert(t) {
                    break t;
                }
            };
            ring.push((token, node));
        }
    }
    ring.sort_unstable();
    ring
}

/// Cassandra excludes Long.MIN_VALUE from key tokens and maps it to
/// Long.MAX_VALUE.
fn normalize(t: i64) -> i64 {
    if t == i64::MIN { i64::MAX } else { t }
}

/// The Murmur3Partitioner token of `key`: the empty key has the minimum
/// token, others the normalized first half of [`murmur3_x64_128`].
pub fn token(key: &[u8]) -> i64 {
    if key.is_empty() {
        return i64::MIN;
    }
    normalize(murmur3_x64_128(key, 0)[0] as i64)
}

/// Cassandra's MurmurHash3 x64_128 (`MurmurHash.hash3_x64_128`). It equals
/// the reference algorithm except in the tail: Cassandra reads the last
/// `len % 16` bytes as signed Java bytes, so a tail byte ≥ 0x80 is
/// sign-extended to 64 bits before it is shifted into place.
pub fn murmur3_x64_128(data: &[u8], seed: u64) -> [u64; 2] {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;

    let mut h1 = seed;
    let mut h2 = seed;
    let mut blocks = data.chunks_exact(16);
    for b in &mut blocks {
        let k1 = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
        let k2 = u64::from_le_bytes(b[8..].try_into().expect("8 bytes"));
        h1 ^= mix_k1(k1);
        h1 = h1.rotate_left(27).wrapping_add(h2);
        h1 = h1.wrapping_mul(5).wrapping_add(0x52dc_e729);
        h2 ^= mix_k2(k2);
        h2 = h2.rotate_left(31).wrapping_add(h1);
        h2 = h2.wrapping_mul(5).wrapping_add(0x3849_5ab5);
    }

    let tail = blocks.remainder();
    let signed = |i: usize| tail[i] as i8 as i64 as u64;
    let (mut k1, mut k2) = (0u64, 0u64);
    for i in (8..tail.len()).rev() {
        k2 ^= signed(i) << (8 * (i - 8));
    }
    if tail.len() > 8 {
        h2 ^= mix_k2(k2);
    }
    for i in (0..tail.len().min(8)).rev() {
        k1 ^= signed(i) << (8 * i);
    }
    if !tail.is_empty() {
        h1 ^= mix_k1(k1);
    }

    let len = data.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    return [h1, h2];

    fn mix_k1(k: u64) -> u64 {
        k.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2)
    }
    fn mix_k2(k: u64) -> u64 {
        k.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1)
    }
}

/// The 64-bit finalizer of MurmurHash3.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

impl Cassandra {
    /// The node owning `token`: the first ring token ≥ it, wrapping.
    fn owner(&self, token: i64) -> u32 {
        let i = self.ring.partition_point(|&(t, _)| t < token);
        self.ring.get(i).unwrap_or(&self.ring[0]).1
    }
}

impl Strategy for Cassandra {
    fn partitions(&self) -> u32 {
        self.n
    }

    fn place(&self, rec: Rec<'_>) -> u32 {
        self.owner(self.key.with_key(rec, token))
    }

    fn hash(&self, rec: Rec<'_>) -> HashValue {
        HashValue::I64(self.key.with_key(rec, token))
    }

    fn key_fields(&self) -> &[usize] {
        self.key.fields()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Murmur3 token vectors of the DataStax drivers, which reproduce
    /// Cassandra's variant: spec/cassandra/murmur3_spec.rb
    /// (datastax/ruby-driver); the first five are also in
    /// tests/unit/test_metadata.py (datastax/python-driver, `_verify_hash`).
    #[test]
    fn token_matches_datastax_driver_vectors() {
        let pattern = [0x00, 0xff, 0x10, 0xfa, 0x99].repeat(10);
        let cases: [(&[u8], i64); 25] = [
            (b"123", -7468325962851647638),
            (&pattern, 5837342703291459765),
            (&[0xfe; 8], -8927430733708461935),
            (&[0x10; 8], 1446172840243228796),
            (b"9223372036854775807", 7162290910810015547),
            (&seq(1), -5563837382979743776),
            (&seq(2), -1513403162740402161),
            (&seq(3), -495360443712684655),
            (&seq(4), 1734091135765407943),
            (&seq(5), -3199412112042527988),
            (&seq(6), -6316563938475080831),
            (&seq(7), 8228893370679682632),
            (&[0x00; 16], 5457549051747178710),
            (&[0xff; 16], -2824192546314762522),
            (&[0xfe; 16], -833317529301936754),
            (
                &[
                    0, 1, 2, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                    0xff,
                ],
                6463632673159404390,
            ),
            (&[0xfe; 17], -1672437813826982685),
            (&[0xfe; 4], 4566408979886474012),
            (&[0x00; 4], -3485513579396041028),
            (&[0x00, 0x01, 0x7f, 0x7f], 6573459401642635627),
            (&[0x00, 0xff, 0xff, 0xff], 123573637386978882),
            (&[0xff, 0x01, 0x02, 0x03], -2839127690952877842),
            (&[0xe2, 0xe7], -8582699461035929883),
            (
                &[0xe2, 0xe7, 0xe2, 0xe7, 0xe2, 0xe7, 0x01],
                2222373981930033306,
            ),
            (b"", i64::MIN),
        ];
        for (key, want) in cases {
            assert_eq!(token(key), want, "{key:02x?}");
        }
    }

    /// The 16 bytes start, start + 1, …, start + 15.
    fn seq(start: u8) -> [u8; 16] {
        std::array::from_fn(|i| start + i as u8)
    }

    #[test]
    fn owner_is_the_next_token_at_or_after_the_key_wrapping() {
        let c = Cassandra {
            key: KeyTemplate::parse("{k}", &["k"]).unwrap(),
            ring: vec![(-100, 2), (0, 0), (100, 1)],
            n: 3,
        };
        assert_eq!(c.owner(i64::MIN), 2);
        assert_eq!(c.owner(-100), 2);
        assert_eq!(c.owner(-99), 0);
        assert_eq!(c.owner(0), 0);
        assert_eq!(c.owner(100), 1);
        assert_eq!(c.owner(101), 2);
        assert_eq!(c.owner(i64::MAX), 2);
    }

    #[test]
    fn ring_has_distinct_tokens_and_grows_without_moving_old_ones() {
        let small = ring(4, 16, 7);
        let big = ring(5, 16, 7);
        assert_eq!(small.len(), 64);
        assert!(small.windows(2).all(|w| w[0].0 < w[1].0));
        for t in &small {
            assert!(big.contains(t));
        }
        assert_ne!(ring(4, 16, 8), small);
    }

    /// With T tokens per node placed uniformly at random, a node's share of
    /// the ring has mean 1/N and relative spread about 1/sqrt(T).
    #[test]
    fn random_vnodes_balance_ownership() {
        let nodes = 8;
        let r = ring(nodes, 256, 1);
        let mut owned = vec![0f64; nodes as usize];
        for (i, &(t, node)) in r.iter().enumerate() {
            let prev = if i == 0 { r[r.len() - 1].0 } else { r[i - 1].0 };
            owned[node as usize] += t.wrapping_sub(prev) as u64 as f64;
        }
        let total: f64 = owned.iter().sum();
        let max_share = owned.iter().cloned().fold(0.0, f64::max) / total;
        // A share is a sum of 256 of the 2048 spacings, so its relative
        // standard deviation is about 1/sqrt(256) = 6.25%; +25% is 4 sd.
        assert!(max_share < 0.125 * 1.25, "max share {max_share}");
    }
}
