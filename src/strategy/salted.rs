//! `salted`: hash partitioning that splits hot keys over S salted sub-keys.
//!
//! A common fix for a hot key is to append a salt 0..S to it on write, so
//! its writes spread over up to S partitions, at the price of reads that
//! must visit all of them and merge. Here sub-key s of key k is
//! mix_combine(k, s), placed like `hash` places a key:
//! floor(mix64(sub-key) * N / 2^64). A write of a hot key picks
//! s = salt mod S from the engine's random salt; a read (or an aggregation
//! over the key field) touches the distinct partitions of all S sub-keys.
//! Cold keys behave exactly like `hash`.
//!
//! Hot keys are listed (`hot = [...]`) or taken from the sample: the
//! `hot_keys` most frequent keys, keeping only those whose sampled share of
//! events is at least `hot_share`. The hot-key test is one probe of a small
//! open-addressing table.

use std::collections::BTreeSet;

use crate::batch::{Batch, Rec, hash_bytes};
use crate::error::SpecError;
use crate::rng::{FastMod, mix_combine, mix64};
use crate::strategy::directory::KeyTable;
use crate::strategy::hash::partition_of;
use crate::strategy::{
    BuildContext, HashValue, KeyFields, KeySample, Strategy, Touch, place_by_hash,
};
use crate::workload::Params;

/// Default number of salts per hot key.
pub const DEFAULT_SALTS: u64 = 8;

/// Most salts per hot key.
pub const MAX_SALTS: u64 = 1024;

/// Default number of hot keys taken from the sample.
pub const DEFAULT_HOT_KEYS: u64 = 16;

/// Most hot keys.
pub const MAX_HOT_KEYS: u64 = 65_536;

/// The keys listed under option `name`: integers as they are, strings as
/// their XXH64 hash (which is how string key fields reach strategies);
/// `None` when absent. Listed keys need a single-field key, since a
/// composite key is a hash of its fields.
pub(crate) fn listed_keys(
    params: &Params,
    name: &str,
    key_fields: &[usize],
) -> Result<Option<Vec<u64>>, SpecError> {
    let strings = match params.values.get(name).map(|p| &p.value) {
        Some(toml::Value::Array(items)) => matches!(items.first(), Some(toml::Value::String(_))),
        _ => false,
    };
    let keys = if strings {
        let names = params.string_list(name)?;
        names.map(|v| v.iter().map(|s| hash_bytes(s.as_bytes())).collect())
    } else {
        params.u64_list(name)?
    };
    if keys.is_some() && key_fields.len() > 1 {
        let msg = "listed keys need a single-field partition key; \
                   with a composite key, let the sample pick them";
        return Err(params.error(name, msg));
    }
    Ok(keys)
}

/// Hash partitioning with salted hot keys.
pub struct Salted {
    key: KeyFields,
    n: u32,
    modulo: FastMod,
    salts: u32,
    /// Hot key → index into `reads`.
    hot: KeyTable,
    /// What a read of each hot key touches.
    reads: Vec<Touch>,
}

/// Partition of sub-key `salt` of `key`, placed as `hash` places a key:
/// (mix64(mix_combine(key, salt)) >> 32) mod n.
#[inline]
pub fn sub_key_partition(key: u64, salt: u64, n: u32) -> u32 {
    partition_of(mix64(mix_combine(key, salt)), &FastMod::new(n))
}

impl Salted {
    /// Salting of the keys in `hot` (duplicates ignored) over `salts`
    /// sub-keys each, on `n` partitions.
    pub fn new(key: KeyFields, n: u32, salts: u32, hot: &[u64]) -> Self {
        let mut entries: Vec<(u64, u32)> = Vec::with_capacity(hot.len());
        let mut reads = Vec::with_capacity(hot.len());
        let mut seen = BTreeSet::new();
        for &k in hot {
            if !seen.insert(k) {
                continue;
            }
            let mut parts: Vec<u32> = (0..salts as u64)
                .map(|s| sub_key_partition(k, s, n))
                .collect();
            parts.sort_unstable();
            parts.dedup();
            let touch = match parts.as_slice() {
                [p] => Touch::One(*p),
                _ => Touch::Set(parts),
            };
            entries.push((k, reads.len() as u32));
            reads.push(touch);
        }
        Self {
            key,
            n,
            modulo: FastMod::new(n),
            salts,
            hot: KeyTable::new(&entries),
            reads,
        }
    }

    /// Number of hot keys.
    pub fn hot_keys(&self) -> usize {
        self.hot.len()
    }

    /// Salts per hot key.
    pub fn salts(&self) -> u32 {
        self.salts
    }

    /// Index of `key` among the hot keys.
    #[inline]
    fn hot_index(&self, key: u64) -> Option<u32> {
        self.hot.get(key, mix64(key))
    }
}

/// The hot keys the sample gives: the `limit` most frequent keys whose share
/// of the sampled events is at least `min_share`.
fn hot_from_sample(sample: &KeySample, limit: usize, min_share: f64) -> Vec<u64> {
    let events = sample.events.max(1) as f64;
    sample
        .counts
        .iter()
        .take(limit)
        .take_while(|&&(_, c)| c as f64 / events >= min_share)
        .map(|&(k, _)| k)
        .collect()
}

/// Builds `salted`: options `salts` (default 8, 2..=1024) and either `hot`
/// (the hot keys) or `hot_keys` (default 16, 1..=65536) and/or `hot_share`
/// (in [0, 1]). With only `hot_share`, every sampled key above the share is
/// hot, up to 65536 keys.
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let params = &ctx.spec.params;
    let salts = params.u64_in("salts", DEFAULT_SALTS, 2, MAX_SALTS)? as u32;
    let listed = listed_keys(params, "hot", &ctx.spec.key)?;
    let hot_keys = params.u64_in("hot_keys", DEFAULT_HOT_KEYS, 1, MAX_HOT_KEYS)?;
    let hot_share = params.f64_in("hot_share", 0.0, 0.0, 1.0)?;

    let hot = match listed {
        Some(list) => {
            for other in ["hot_keys", "hot_share"] {
                if params.has(other) {
                    let msg = "`hot` already lists the hot keys; give either `hot` \
                               or `hot_keys`/`hot_share`";
                    return Err(params.error(other, msg));
                }
            }
            if list.len() as u64 > MAX_HOT_KEYS {
                let msg = format!("lists {} keys; at most {MAX_HOT_KEYS} allowed", list.len());
                return Err(params.error("hot", msg));
            }
            list
        }
        None => {
            let limit = if params.has("hot_share") && !params.has("hot_keys") {
                MAX_HOT_KEYS
            } else {
                hot_keys
            };
            hot_from_sample(ctx.sample, limit as usize, hot_share)
        }
    };
    params.finish("salted")?;

    let key = KeyFields::new(&ctx.spec.key);
    Ok(Box::new(Salted::new(key, ctx.partitions, salts, &hot)))
}

impl Strategy for Salted {
    fn partitions(&self) -> u32 {
        self.n
    }

    #[inline]
    fn place(&self, rec: Rec<'_>) -> u32 {
        partition_of(self.key.hash(rec), &self.modulo)
    }

    fn place_batch(&self, batch: &Batch, out: &mut Vec<u32>) {
        place_by_hash(&self.key, batch, out, |h| partition_of(h, &self.modulo));
    }

    fn hash(&self, rec: Rec<'_>) -> HashValue {
        HashValue::U64(self.key.hash(rec))
    }

    fn spreads(&self) -> bool {
        true
    }

    #[inline]
    fn write(&self, rec: Rec<'_>, home: u32, salt: u64) -> u32 {
        let k = self.key.key(rec);
        match self.hot_index(k) {
            Some(_) => sub_key_partition(k, salt % self.salts as u64, self.n),
            None => home,
        }
    }

    fn read(&self, rec: Rec<'_>, home: u32) -> Touch {
        match self.hot_index(self.key.key(rec)) {
            Some(i) => self.reads[i as usize].clone(),
            None => Touch::One(home),
        }
    }

    fn key_fields(&self) -> &[usize] {
        self.key.fields()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(keys: &[u64]) -> Batch {
        let mut b = Batch::new(1);
        for &k in keys {
            b.ops.push(0);
            b.cols[0].push(k);
        }
        b
    }

    #[test]
    fn hot_key_reads_touch_every_salt_and_cold_reads_one_partition() {
        let n = 1 << 20;
        let s = Salted::new(KeyFields::new(&[0]), n, 8, &[7, 9]);
        let b = batch(&[7, 9, 8]);
        for i in 0..2 {
            let rec = b.rec(i);
            let home = s.place(rec);
            let Touch::Set(parts) = s.read(rec, home) else {
                panic!("a hot read touches a set");
            };
            assert_eq!(parts.len(), 8);
            assert!(parts.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(s.aggregate(0, rec, home), Touch::Set(parts));
        }
        let cold = b.rec(2);
        let home = s.place(cold);
        assert_eq!(s.read(cold, home), Touch::One(home));
        assert_eq!(s.aggregate(0, cold, home), Touch::One(home));
    }

    #[test]
    fn hot_key_writes_go_to_the_sub_key_of_their_salt() {
        let s = Salted::new(KeyFields::new(&[0]), 64, 4, &[42]);
        let b = batch(&[42, 43]);
        let (hot, cold) = (b.rec(0), b.rec(1));
        let Touch::Set(read) = s.read(hot, s.place(hot)) else {
            panic!("a hot read touches a set");
        };
        for salt in 0..100u64 {
            let p = s.write(hot, s.place(hot), salt);
            assert_eq!(p, sub_key_partition(42, salt % 4, 64));
            assert!(read.contains(&p));
            assert_eq!(s.write(cold, s.place(cold), salt), s.place(cold));
        }
    }

    #[test]
    fn coinciding_sub_keys_read_one_partition() {
        let s = Salted::new(KeyFields::new(&[0]), 1, 16, &[5]);
        let b = batch(&[5]);
        assert_eq!(s.read(b.rec(0), 0), Touch::One(0));
    }

    #[test]
    fn cold_keys_place_like_hash() {
        let s = Salted::new(KeyFields::new(&[0]), 10, 8, &[1]);
        let keys: Vec<u64> = (0..500).collect();
        let mut out = Vec::new();
        s.place_batch(&batch(&keys), &mut out);
        for (&k, &p) in keys.iter().zip(&out) {
            assert_eq!(p as u64, (mix64(k) >> 32) % 10);
        }
    }

    #[test]
    fn sample_hot_keys_respect_count_and_share() {
        let sample = KeySample {
            events: 100,
            counts: vec![(10, 40), (11, 30), (12, 5), (13, 1)],
            order: Vec::new(),
        };
        assert_eq!(hot_from_sample(&sample, 2, 0.0), vec![10, 11]);
        assert_eq!(hot_from_sample(&sample, 16, 0.05), vec![10, 11, 12]);
        assert_eq!(hot_from_sample(&sample, 1, 0.05), vec![10]);
        assert!(hot_from_sample(&KeySample::default(), 16, 0.0).is_empty());
    }
}
