//! `redis`: Redis Cluster's key → hash slot → master mapping.
//!
//! slot = CRC16-XMODEM(tag) mod 16384, where tag is the hash tag (the bytes
//! between the first `{` and the first `}` after it, when that is
//! non-empty) or else the whole key. The 16384 slots are given to the N
//! masters in contiguous ranges exactly as `redis-cli --cluster create`
//! assigns them (see [`slot_ranges`]).

use crate::batch::Rec;
use crate::error::SpecError;
use crate::strategy::systems::template::KeyTemplate;
use crate::strategy::{BuildContext, HashValue, Strategy};

/// Number of hash slots in a Redis Cluster.
pub const SLOTS: u32 = 16384;

/// Redis Cluster with slots spread over N masters.
pub struct Redis {
    key: KeyTemplate,
    owner: Vec<u32>,
    n: u32,
}

/// Builds `redis`; its only option is `template`. N must be 1..=16384.
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let key = KeyTemplate::from_spec(ctx)?;
    ctx.spec.params.finish("redis")?;
    let n = ctx.partitions;
    let ranges = slot_ranges(n).map_err(|msg| ctx.spec.params.error("partitions", msg))?;
    let mut owner = vec![0; SLOTS as usize];
    for (master, (first, last)) in ranges.into_iter().enumerate() {
        owner[first as usize..=last as usize].fill(master as u32);
    }
    Ok(Box::new(Redis { key, owner, n }))
}

/// CRC16 as Redis Cluster uses it: the XMODEM variant (polynomial 0x1021,
/// initial value 0, no reflection, no final xor), one table step per byte.
pub fn crc16_xmodem(data: &[u8]) -> u16 {
    data.iter().fold(0u16, |crc, &b| {
        (crc << 8) ^ CRC16_TABLE[((crc >> 8) as u8 ^ b) as usize]
    })
}

/// CRC16-XMODEM of each byte value: the bitwise division of `b << 8`.
const CRC16_TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        let mut crc = (b as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[b] = crc;
        b += 1;
    }
    table
};

/// The part of `key` that Redis hashes: the bytes between the first `{`
/// and the next `}` when there is at least one byte between them,
/// otherwise the whole key.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    let Some(open) = key.iter().position(|&b| b == b'{') else {
        return key;
    };
    match key[open + 1..].iter().position(|&b| b == b'}') {
        Some(len) if len > 0 => &key[open + 1..open + 1 + len],
        _ => key,
    }
}

/// The hash slot of `key`, as `CLUSTER KEYSLOT` reports it.
pub fn key_slot(key: &[u8]) -> u32 {
    crc16_xmodem(hash_tag(key)) as u32 % SLOTS
}

/// The inclusive slot range of each of `masters` masters, as
/// `redis-cli --cluster create` computes it: with s = 16384 / m in single
/// precision and a single-precision cursor c (starting at 0, growing by s),
/// master i gets first..=last where last = lround(c + s - 1), clamped to
/// 16383 for the last master and to at least `first`; the next master
/// starts at last + 1. Three masters get 0-5460, 5461-10922, 10923-16383.
///
/// Errors when the count is 0 or above 16384, or when the float arithmetic
/// would leave a master without slots.
pub fn slot_ranges(masters: u32) -> Result<Vec<(u32, u32)>, String> {
    if masters == 0 || masters > SLOTS {
        return Err(format!(
            "a Redis Cluster has 1..=16384 masters (one per partition); got {masters} partitions"
        ));
    }
    let per_master = SLOTS as f32 / masters as f32;
    let mut cursor = 0.0f32;
    let mut first: i64 = 0;
    let mut ranges = Vec::with_capacity(masters as usize);
    for i in 0..masters {
        // f64::round rounds half away from zero, like C's lround.
        let mut last = ((cursor + per_master - 1.0) as f64).round() as i64;
        if last > SLOTS as i64 || i == masters - 1 {
            last = SLOTS as i64 - 1;
        }
        if last < first {
            last = first;
        }
        if first > SLOTS as i64 - 1 || last > SLOTS as i64 - 1 {
            return Err(format!(
                "redis-cli's slot arithmetic leaves master {i} of {masters} without slots; \
                 use fewer partitions"
            ));
        }
        ranges.push((first as u32, last as u32));
        first = last + 1;
        cursor += per_master;
    }
    Ok(ranges)
}

impl Strategy for Redis {
    fn partitions(&self) -> u32 {
        self.n
    }

    fn place(&self, rec: Rec<'_>) -> u32 {
        self.owner[self.key.with_key(rec, key_slot) as usize]
    }

    fn hash(&self, rec: Rec<'_>) -> HashValue {
        HashValue::U32(self.key.with_key(rec, key_slot))
    }

    fn key_fields(&self) -> &[usize] {
        self.key.fields()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check value in the header comment of Redis's src/crc16.c:
    /// "Output for "123456789" : 31C3".
    #[test]
    fn crc16_matches_redis_check_value() {
        assert_eq!(crc16_xmodem(b"123456789"), 0x31c3);
        assert_eq!(crc16_xmodem(b""), 0);
    }

    /// The CLUSTER KEYSLOT examples of the Redis command docs
    /// (commands/cluster-keyslot.md) and the module API test
    /// (tests/unit/moduleapi/misc.tcl: `test.keyslot foo` → 12182).
    #[test]
    fn key_slot_matches_cluster_keyslot_examples() {
        assert_eq!(key_slot(b"somekey"), 11058);
        assert_eq!(key_slot(b"foo{hash_tag}"), 2515);
        assert_eq!(key_slot(b"bar{hash_tag}"), 2515);
        assert_eq!(key_slot(b"foo"), 12182);
    }

    /// The hash tag rules of the Redis Cluster specification
    /// (docs: cluster-spec, "Hash tags").
    #[test]
    fn hash_tags_follow_the_cluster_spec() {
        assert_eq!(hash_tag(b"{user1000}.following"), b"user1000");
        assert_eq!(hash_tag(b"{user1000}.followers"), b"user1000");
        assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}");
        assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar");
        assert_eq!(hash_tag(b"foo{bar}{zap}"), b"bar");
        assert_eq!(hash_tag(b"foo{bar"), b"foo{bar");
        assert_eq!(hash_tag(b"foo}bar{"), b"foo}bar{");
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"user1000"));
        assert_eq!(key_slot(b"foo{{bar}}zap"), key_slot(b"{bar"));
        assert_eq!(key_slot(b"foo{bar}{zap}"), key_slot(b"bar"));
        assert_ne!(key_slot(b"foo{}{bar}"), key_slot(b"bar"));
    }

    /// Entries of Redis's src/crc16_slottable.h, the shortest alphanumeric
    /// key for each slot (array index = slot); the first ten slots.
    #[test]
    fn key_slot_matches_redis_slot_table() {
        let table = [
            "06S", "Qi", "5L5", "4Iu", "4gY", "460", "1Y7", "1LV", "0QG", "ru",
        ];
        for (slot, key) in table.iter().enumerate() {
            assert_eq!(key_slot(key.as_bytes()), slot as u32, "{key}");
            // The module API test wraps each entry as `x{tag}y`.
            assert_eq!(key_slot(format!("x{{{key}}}y").as_bytes()), slot as u32);
        }
    }

    #[test]
    fn empty_and_high_byte_keys_are_hashed_whole() {
        assert_eq!(key_slot(b""), 0);
        let key = [0x00, b'{', 0xff, b'}', 0x01];
        assert_eq!(key_slot(&key), crc16_xmodem(&[0xff]) as u32 % SLOTS);
        assert_eq!(
            key_slot("ключ".as_bytes()),
            crc16_xmodem("ключ".as_bytes()) as u32 % SLOTS
        );
    }

    /// redis-cli prints `Master[0] -> Slots 0 - 5460` and so on when it
    /// creates a three-master cluster (cluster tutorial, redis.io), and
    /// 0-4095 … 12288-16383 for four masters.
    #[test]
    fn slot_ranges_match_redis_cli_create() {
        assert_eq!(
            slot_ranges(3).unwrap(),
            vec![(0, 5460), (5461, 10922), (10923, 16383)]
        );
        assert_eq!(
            slot_ranges(4).unwrap(),
            vec![(0, 4095), (4096, 8191), (8192, 12287), (12288, 16383)]
        );
        assert_eq!(slot_ranges(1).unwrap(), vec![(0, 16383)]);
    }

    #[test]
    fn slot_ranges_tile_all_slots_for_every_count() {
        for m in (1..=64).chain([100, 1000, 5000, 16383, 16384]) {
            let ranges = slot_ranges(m).unwrap();
            assert_eq!(ranges.len(), m as usize);
            assert_eq!(ranges[0].0, 0);
            assert_eq!(ranges.last().unwrap().1, SLOTS - 1);
            for w in ranges.windows(2) {
                assert_eq!(w[1].0, w[0].1 + 1, "m = {m}");
            }
            assert!(ranges.iter().all(|(a, b)| a <= b));
        }
        assert!(slot_ranges(0).is_err());
        assert!(slot_ranges(16385).is_err());
    }
}
