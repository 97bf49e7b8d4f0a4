//! `jump`: Lamping and Veach's jump consistent hash over the key hash.
//!
//! Jump hash ("A Fast, Minimal Memory, Consistent Hash Algorithm", 2014)
//! needs no table: it replays, from the key, the moves the key would have
//! made as buckets were added one by one, using a 64-bit linear
//! congruential generator and jumping over the buckets it would not have
//! moved to. Each of N partitions gets 1/N of the keys, and going from N
//! to N+1 partitions moves exactly the keys that land on the new one, an
//! expected 1/(N+1) of them. A lookup takes O(ln N) steps.

use crate::batch::{Batch, Rec};
use crate::error::SpecError;
use crate::rng::mix64;
use crate::strategy::{BuildContext, HashValue, KeyFields, Strategy};

/// Multiplier of the generator the published algorithm steps with.
const LCG_MUL: u64 = 2_862_933_555_777_941_757;

/// The bucket in `0..n` (n ≥ 1) that jump consistent hash gives `key`.
///
/// With `key ← key * 2862933555777941757 + 1` (mod 2^64) at each step, the
/// candidate after bucket b is `j = floor((b + 1) * 2^31 / ((key >> 33) + 1))`;
/// starting from b = 0 the walk moves b to j while j < n and returns the
/// last b. This is the published algorithm bit for bit, so it agrees with
/// other implementations (Guava's `Hashing.consistentHash` among them).
#[inline]
pub fn jump(mut key: u64, n: u32) -> u32 {
    debug_assert!(n > 0);
    let n = n as i64;
    let mut b: i64 = -1;
    let mut j: i64 = 0;
    while j < n {
        b = j;
        key = key.wrapping_mul(LCG_MUL).wrapping_add(1);
        let r = (1u64 << 31) as f64 / ((key >> 33) + 1) as f64;
        j = ((b + 1) as f64 * r) as i64;
    }
    b as u32
}

/// Keys walked side by side by [`jump_many`].
const LANES: usize = 8;

/// [`jump`] of `LANES` keys at once, equal to it lane by lane.
///
/// Each lane takes its own number of steps, so one key at a time costs a
/// mispredicted loop exit per key, and each step waits on the previous
/// division. Walking several keys in lock step, where a finished lane keeps
/// its answer while the others go on, lets the steps of different keys
/// overlap.
#[inline]
fn jump_lanes(keys: [u64; LANES], n: u32) -> [u32; LANES] {
    let n = n as i64;
    let mut key = keys;
    let mut b = [-1i64; LANES];
    let mut j = [0i64; LANES];
    while j.iter().any(|&x| x < n) {
        for l in 0..LANES {
            let live = j[l] < n;
            let k = key[l].wrapping_mul(LCG_MUL).wrapping_add(1);
            let r = (1u64 << 31) as f64 / ((k >> 33) + 1) as f64;
            let next = ((j[l] + 1) as f64 * r) as i64;
            if live {
                key[l] = k;
                b[l] = j[l];
                j[l] = next;
            }
        }
    }
    b.map(|x| x as u32)
}

/// [`jump`] of `mix64(k)` for every `k` of `keys`, appended to `out`.
pub fn jump_many(keys: &[u64], n: u32, out: &mut Vec<u32>) {
    let mut chunks = keys.chunks_exact(LANES);
    for chunk in &mut chunks {
        let mut lanes = [0u64; LANES];
        for (lane, &k) in lanes.iter_mut().zip(chunk) {
            *lane = mix64(k);
        }
        out.extend_from_slice(&jump_lanes(lanes, n));
    }
    out.extend(chunks.remainder().iter().map(|&k| jump(mix64(k), n)));
}

/// Jump consistent hashing.
pub struct Jump {
    key: KeyFields,
    n: u32,
}

impl Jump {
    /// Jump hash of `key` over `n` partitions.
    pub fn new(key: KeyFields, n: u32) -> Self {
        Self { key, n }
    }
}

/// Builds `jump`; it takes no options.
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    ctx.spec.params.finish("jump")?;
    let key = KeyFields::new(&ctx.spec.key);
    Ok(Box::new(Jump::new(key, ctx.partitions)))
}

impl Strategy for Jump {
    fn partitions(&self) -> u32 {
        self.n
    }

    #[inline]
    fn place(&self, rec: Rec<'_>) -> u32 {
        jump(self.key.hash(rec), self.n)
    }

    fn place_batch(&self, batch: &Batch, out: &mut Vec<u32>) {
        match self.key.fields() {
            [f] => jump_many(&batch.cols[*f], self.n, out),
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

    /// Golden values of Guava's `HashingTest`
    /// (`testConsistentHash_linearCongruentialGeneratorCompatibility`),
    /// which checks that implementations across languages agree.
    #[test]
    fn jump_matches_published_golden_values() {
        let golden100 = [
            0, 55, 62, 8, 45, 59, 86, 97, 82, 59, 73, 37, 17, 56, 86, 21, 90, 37, 38, 83,
        ];
        for (key, &want) in golden100.iter().enumerate() {
            assert_eq!(jump(key as u64, 100), want, "key {key}");
        }
        assert_eq!(jump(10_863_919_174_838_991, 11), 6);
        assert_eq!(jump(2_016_238_256_797_177_309, 11), 3);
        assert_eq!(jump(1_673_758_223_894_951_030, 11), 5);
        assert_eq!(jump(2, 100_001), 80_343);
        assert_eq!(jump(2201, 100_001), 22_152);
        assert_eq!(jump(2202, 100_001), 15_018);
    }

    #[test]
    fn jump_many_equals_jump_key_by_key() {
        let mut rng = Rng::from_seed(4);
        let keys: Vec<u64> = (0..1003).map(|_| rng.next_u64()).collect();
        for n in [1, 2, 7, 1000, 1 << 20, u32::MAX] {
            let mut out = Vec::new();
            jump_many(&keys, n, &mut out);
            let want: Vec<u32> = keys.iter().map(|&k| jump(mix64(k), n)).collect();
            assert_eq!(out, want, "n = {n}");
        }
    }

    #[test]
    fn jump_with_one_bucket_is_zero() {
        let mut rng = Rng::from_seed(1);
        for _ in 0..1000 {
            assert_eq!(jump(rng.next_u64(), 1), 0);
        }
    }

    /// Chi-square goodness of fit of 20,000 random keys over 10 buckets
    /// against the uniform law; 9 degrees of freedom, critical value at
    /// significance 0.001 is 27.88.
    #[test]
    fn jump_spreads_keys_uniformly() {
        let (n, draws) = (10usize, 20_000u64);
        let mut rng = Rng::from_seed(2);
        let mut counts = vec![0u64; n];
        for _ in 0..draws {
            counts[jump(rng.next_u64(), n as u32) as usize] += 1;
        }
        let expected = draws as f64 / n as f64;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 27.88, "chi2 = {chi2}, counts {counts:?}");
    }

    #[test]
    fn jump_moves_keys_only_to_the_new_bucket() {
        let mut rng = Rng::from_seed(3);
        for _ in 0..2000 {
            let k = rng.next_u64();
            for n in 1..40 {
                let (a, b) = (jump(k, n), jump(k, n + 1));
                assert!(a == b || b == n, "key {k}: {a} -> {b} at n = {n}");
            }
        }
    }
}
