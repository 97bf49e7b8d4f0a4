//! `directory`: a lookup table for the heaviest keys, jump hash for the rest.
//!
//! Many systems keep an explicit map for the few keys that carry most of
//! the traffic and place them by hand. This strategy takes the `entries`
//! most frequent keys of the sample (plus any listed in `hot`) and places
//! them greedily, heaviest first, each on the partition with the least
//! load so far. Loads start from the sampled traffic of every other key,
//! placed where it will really go: jump consistent hash of the key hash
//! (see [`jump`]). Keys outside the directory keep that fallback, so when
//! N changes they move as little as jump hash moves them.
//!
//! The directory is a small open-addressing table probed with the key
//! hash, so a key outside it mostly costs one probe before the fallback.
//! A batch computes the fallback for every key in lock step (see
//! [`jump_many`]) and then lets the directory override its own keys.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use crate::batch::{Batch, Rec};
use crate::error::SpecError;
use crate::rng::mix64;
use crate::strategy::jump::{jump, jump_many};
use crate::strategy::salted::listed_keys;
use crate::strategy::{BuildContext, HashValue, KeyFields, KeySample, Strategy};

/// Default number of directory entries.
pub const DEFAULT_ENTRIES: u64 = 1024;

/// Most directory entries.
pub const MAX_ENTRIES: u64 = 1 << 20;

/// Marks an empty slot of a [`KeyTable`].
const EMPTY: u32 = u32::MAX;

/// One slot of a [`KeyTable`]: key and value side by side, so a probe
/// reads one cache line.
#[derive(Clone, Copy, Debug)]
struct Slot {
    key: u64,
    value: u32,
}

/// A small open-addressing map from keys to `u32` values, probed linearly
/// from the key's hash, at most a quarter full so that a key it does not
/// hold (the common case) is mostly turned away by the first probe.
#[derive(Clone, Debug)]
pub struct KeyTable {
    slots: Vec<Slot>,
    mask: usize,
    len: usize,
}

impl KeyTable {
    /// A table holding `entries` (key, value) pairs; a repeated key keeps
    /// its first value. Values must be below `u32::MAX`.
    pub fn new(entries: &[(u64, u32)]) -> Self {
        let size = (4 * entries.len()).max(2).next_power_of_two();
        let empty = Slot {
            key: 0,
            value: EMPTY,
        };
        let mut table = Self {
            slots: vec![empty; size],
            mask: size - 1,
            len: 0,
        };
        for &(key, value) in entries {
            debug_assert!(value != EMPTY);
            let mut i = mix64(key) as usize & table.mask;
            loop {
                let slot = &mut table.slots[i];
                if slot.value == EMPTY {
                    *slot = Slot { key, value };
                    table.len += 1;
                    break;
                }
                if slot.key == key {
                    break;
                }
                i = (i + 1) & table.mask;
            }
        }
        table
    }

    /// Number of distinct keys held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the table holds no key.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value of `key`, whose mix64 hash is `hash`.
    #[inline]
    pub fn get(&self, key: u64, hash: u64) -> Option<u32> {
        let mut i = hash as usize & self.mask;
        loop {
            let slot = self.slots[i];
            if slot.value == EMPTY {
                return None;
            }
            if slot.key == key {
                return Some(slot.value);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The value of `key` (hash `hash`), or `default`. The first probe
    /// usually decides, and then the answer is a select, not a branch.
    #[inline]
    pub fn get_or(&self, key: u64, hash: u64, default: u32) -> u32 {
        let slot = self.slots[hash as usize & self.mask];
        if slot.value == EMPTY || slot.key == key {
            let hit = slot.key == key && slot.value != EMPTY;
            if hit { slot.value } else { default }
        } else {
            self.get(key, hash).unwrap_or(default)
        }
    }
}

/// Directory partitioning.
pub struct Directory {
    key: KeyFields,
    n: u32,
    table: KeyTable,
}

impl Directory {
    /// A directory over `n` partitions for the keys `listed` and then the
    /// most frequent keys of `sample`, `entries` keys in all (the listed
    /// keys always get in).
    ///
    /// Placement: load(p) starts as the sampled count of every non-directory
    /// key k with jump(mix64(k), n) = p; then each directory key, by
    /// descending sampled count (ties: sample order, listed keys last),
    /// goes to the partition of least load (ties: lowest p), whose load
    /// grows by the key's count.
    pub fn new(key: KeyFields, n: u32, sample: &KeySample, listed: &[u64], entries: usize) -> Self {
        // The directory keys with their sampled counts, heaviest first;
        // the sort is stable, so ties keep sample order, listed keys last.
        let mut listed_set = BTreeSet::new();
        let listed: Vec<u64> = listed
            .iter()
            .copied()
            .filter(|&k| listed_set.insert(k))
            .collect();
        let listed_counts: BTreeMap<u64, u64> = sample
            .counts
            .iter()
            .filter(|(k, _)| listed_set.contains(k))
            .copied()
            .collect();
        let room = entries.saturating_sub(listed.len());
        let mut chosen: Vec<(u64, u64)> = sample
            .counts
            .iter()
            .filter(|(k, _)| !listed_set.contains(k))
            .take(room)
            .copied()
            .collect();
        chosen.extend(
            listed
                .iter()
                .map(|&k| (k, listed_counts.get(&k).copied().unwrap_or(0))),
        );
        chosen.sort_by_key(|&(_, c)| Reverse(c));

        // Starting loads: everything else, where the fallback puts it.
        let in_directory = KeyTable::new(&chosen.iter().map(|&(k, _)| (k, 0)).collect::<Vec<_>>());
        let mut load = vec![0u64; n as usize];
        for &(k, c) in &sample.counts {
            let h = mix64(k);
            if in_directory.get(k, h).is_none() {
                load[jump(h, n) as usize] += c;
            }
        }

        // Greedy: heaviest first onto the least loaded partition.
        let mut heap: BinaryHeap<Reverse<(u64, u32)>> = load
            .iter()
            .enumerate()
            .map(|(p, &l)| Reverse((l, p as u32)))
            .collect();
        let mut placed = Vec::with_capacity(chosen.len());
        for &(k, c) in &chosen {
            let Reverse((l, p)) = heap.pop().expect("at least one partition");
            placed.push((k, p));
            heap.push(Reverse((l + c, p)));
        }

        Self {
            key,
            n,
            table: KeyTable::new(&placed),
        }
    }

    /// Number of keys in the directory.
    pub fn entries(&self) -> usize {
        self.table.len()
    }

    /// The directory's partition for `key`, if it holds it.
    pub fn entry(&self, key: u64) -> Option<u32> {
        self.table.get(key, mix64(key))
    }

    #[inline]
    fn lookup(&self, key: u64, h: u64) -> u32 {
        match self.table.get(key, h) {
            Some(p) => p,
            None => jump(h, self.n),
        }
    }
}

/// Builds `directory`: options `entries` (default 1024, 0..=2^20) and
/// `hot`, a list of keys that always get an entry.
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    let params = &ctx.spec.params;
    let entries = params.u64_in("entries", DEFAULT_ENTRIES, 0, MAX_ENTRIES)? as usize;
    let listed = listed_keys(params, "hot", &ctx.spec.key)?.unwrap_or_default();
    if listed.len() > entries {
        let msg = format!(
            "lists {} keys but `entries` is {entries}; list at most `entries` keys \
             or raise `entries`",
            listed.len()
        );
        return Err(params.error("hot", msg));
    }
    params.finish("directory")?;
    let key = KeyFields::new(&ctx.spec.key);
    let dir = Directory::new(key, ctx.partitions, ctx.sample, &listed, entries);
    Ok(Box::new(dir))
}

impl Strategy for Directory {
    fn partitions(&self) -> u32 {
        self.n
    }

    #[inline]
    fn place(&self, rec: Rec<'_>) -> u32 {
        let k = self.key.key(rec);
        self.lookup(k, mix64(k))
    }

    fn place_batch(&self, batch: &Batch, out: &mut Vec<u32>) {
        match self.key.fields() {
            [f] => {
                // Jump hash for all keys in lock step, then the directory
                // overrides its own keys.
                let keys = &batch.cols[*f];
                let start = out.len();
                jump_many(keys, self.n, out);
                for (slot, &k) in out[start..].iter_mut().zip(keys) {
                    *slot = self.table.get_or(k, mix64(k), *slot);
                }
            }
            _ => out.extend((0..batch.len()).map(|i| self.place(batch.rec(i)))),
        }
    }

    fn hash(&self, rec: Rec<'_>) -> HashValue {
        HashValue::U64(self.key.hash(rec))
    }

    fn key_fields(&self) -> &[usize] {
        self.key.fields()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn sample(counts: Vec<(u64, u64)>) -> KeySample {
        let events = counts.iter().map(|&(_, c)| c).sum();
        KeySample {
            events,
            counts,
            order: Vec::new(),
        }
    }

    #[test]
    fn key_table_finds_every_key_and_nothing_else() {
        let mut rng = Rng::from_seed(31);
        let entries: Vec<(u64, u32)> = (0..500).map(|i| (rng.next_u64(), i)).collect();
        let table = KeyTable::new(&entries);
        assert_eq!(table.len(), 500);
        for &(k, v) in &entries {
            assert_eq!(table.get(k, mix64(k)), Some(v));
        }
        for _ in 0..5000 {
            let k = rng.next_u64();
            assert_eq!(table.get(k, mix64(k)), None);
        }
        assert_eq!(KeyTable::new(&[]).get(0, mix64(0)), None);
        assert_eq!(KeyTable::new(&[(0, 7)]).get(0, mix64(0)), Some(7));
    }

    /// Eight equally heavy keys that dwarf the rest land on eight distinct
    /// partitions of eight.
    #[test]
    fn directory_spreads_the_top_keys_across_partitions() {
        let mut counts: Vec<(u64, u64)> = (0..8).map(|k| (k * 1000, 10_000)).collect();
        counts.extend((100_000..100_400).map(|k| (k, 1)));
        let dir = Directory::new(KeyFields::new(&[0]), 8, &sample(counts), &[], 8);
        assert_eq!(dir.entries(), 8);
        let mut parts: Vec<u32> = (0..8).map(|k| dir.entry(k * 1000).unwrap()).collect();
        parts.sort_unstable();
        assert_eq!(parts, (0..8).collect::<Vec<u32>>());
    }

    /// The fallback load counts: a partition already loaded by cold keys
    /// is the last to receive a hot one.
    #[test]
    fn directory_starts_from_the_fallback_load() {
        // Cold keys all on one partition of two, found by search.
        let cold: Vec<u64> = (0u64..)
            .filter(|&k| jump(mix64(k), 2) == 1)
            .take(50)
            .collect();
        let mut counts: Vec<(u64, u64)> = vec![(1_000_000, 40)];
        counts.extend(cold.iter().map(|&k| (k, 1)));
        let dir = Directory::new(KeyFields::new(&[0]), 2, &sample(counts), &[], 1);
        assert_eq!(dir.entry(1_000_000), Some(0));
    }

    #[test]
    fn keys_outside_the_directory_use_jump_hash() {
        let counts: Vec<(u64, u64)> = (0..100).map(|k| (k, 100 - k)).collect();
        let dir = Directory::new(KeyFields::new(&[0]), 13, &sample(counts), &[], 10);
        assert_eq!(dir.entries(), 10);
        for k in 10..1000u64 {
            assert_eq!(dir.entry(k), None);
            assert_eq!(dir.lookup(k, mix64(k)), jump(mix64(k), 13));
        }
    }

    #[test]
    fn listed_keys_always_get_an_entry() {
        let counts: Vec<(u64, u64)> = (0..100).map(|k| (k, 100 - k)).collect();
        let listed = [500, 600, 500];
        let dir = Directory::new(KeyFields::new(&[0]), 4, &sample(counts), &listed, 3);
        assert_eq!(dir.entries(), 3);
        assert!(dir.entry(500).is_some() && dir.entry(600).is_some());
        assert!(dir.entry(0).is_some());
        assert!(dir.entry(1).is_none());
    }
}
