//! A fixed pseudo-random bijection of `0..n`, used to scatter Zipf ranks
//! over the key space.
//!
//! The permutation is a four-round Feistel network over the mixed-radix
//! domain `Z_a × Z_(2^k)` (a generalized Feistel cipher in the manner of
//! Black and Rogaway, 2002): k is half the bit length of n (at least 1)
//! and `a = ceil(n / 2^k)`. A key x is the pair `(x >> k, x mod 2^k)`; the
//! rounds alternately add a keyed hash of the low half to the high half
//! modulo a, and XOR a keyed hash of the high half into the low half. Each
//! round is invertible, so the network permutes `0..a·2^k`. Since
//! `a·2^k - n < 2^k`, the few images at or above n are mapped on by cycle
//! walking (applying the network again until the result is below n),
//! which keeps a bijection of `0..n` and is needed for fewer than one draw
//! in a ≈ sqrt(n). Keeping the walk rare matters: with a power-of-two
//! domain, up to half of all draws would walk, and the unpredictable
//! branch would cost more than the network itself.
//!
//! The round keys come from `mix64` of n and the round number, so the
//! permutation is a fixed function of n: the same on every run, machine
//! and thread count.

use crate::rng::{mix_combine, mix64, reduce};

/// Feistel rounds.
const ROUNDS: usize = 4;

/// Domain separator for the round keys.
const SCATTER_SEED: u64 = 0x5ca7_7e25_0f2a_4b1d;

/// Odd multiplier of the round hash (2^64 divided by the golden ratio).
const ROUND_MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// A bijection of `0..n` that looks random.
#[derive(Clone, Debug)]
pub struct Scatter {
    n: u64,
    /// Radix of the high half.
    a: u64,
    /// Bits of the low half, k.
    low_bits: u32,
    keys: [u64; ROUNDS],
}

impl Scatter {
    /// The permutation of `0..n` (n ≥ 1).
    pub fn new(n: u64) -> Self {
        let n = n.max(1);
        let bits = 64 - (n - 1).leading_zeros();
        let low_bits = (bits / 2).max(1);
        let a = ((n - 1) >> low_bits) + 1;
        let mut keys = [0u64; ROUNDS];
        for (r, key) in keys.iter_mut().enumerate() {
            *key = mix_combine(mix_combine(mix64(SCATTER_SEED), n), r as u64);
        }
        Self {
            n,
            a,
            low_bits,
            keys,
        }
    }

    /// The image of `x` (which must be in `0..n`).
    #[inline(always)]
    pub fn apply(&self, x: u64) -> u64 {
        debug_assert!(x < self.n);
        let mut y = self.network(x);
        while y >= self.n {
            y = self.network(y);
        }
        y
    }

    /// One pass of the network over `0..a·2^k`.
    #[inline(always)]
    fn network(&self, x: u64) -> u64 {
        let mut high = x >> self.low_bits;
        let mut low = x & ((1u64 << self.low_bits) - 1);
        for (r, &key) in self.keys.iter().enumerate() {
            if r % 2 == 0 {
                high = add_mod(high, reduce(round(low, key), self.a), self.a);
            } else {
                low ^= round(high, key) >> (64 - self.low_bits);
            }
        }
        (high << self.low_bits) | low
    }
}

/// The keyed round hash (multiplicative hashing: its high bits, which
/// `reduce` uses, depend on every input bit).
#[inline(always)]
fn round(half: u64, key: u64) -> u64 {
    (half ^ key).wrapping_mul(ROUND_MULTIPLIER)
}

/// `(x + y) mod m` for x, y < m ≤ 2^32.
#[inline(always)]
fn add_mod(x: u64, y: u64, m: u64) -> u64 {
    let s = x + y;
    if s >= m { s - m } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_bijection_of_the_key_space() {
        for n in [1u64, 2, 3, 5, 64, 1000, 1024, 1025, 4097, 65_535, 100_003] {
            let scatter = Scatter::new(n);
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = scatter.apply(x);
                assert!(y < n, "n={n}: {x} → {y}");
                assert!(!seen[y as usize], "n={n}: {y} hit twice");
                seen[y as usize] = true;
            }
        }
    }

    #[test]
    fn stays_in_range_for_the_largest_spaces() {
        for n in [
            u64::MAX,
            (1 << 63) + 1,
            1 << 40,
            (1 << 32) * ((1 << 32) - 1),
        ] {
            let scatter = Scatter::new(n);
            assert!(scatter.a <= 1 << 32, "n={n}: a = {}", scatter.a);
            for x in [0, 1, 2, n / 3, n / 2, n - 2, n - 1] {
                assert!(scatter.apply(x) < n);
            }
        }
    }

    #[test]
    fn scatters_the_first_ranks() {
        // The first 64 ranks of a million keys should land all over the
        // space: about half of them in each half, none left in place.
        let n = 1_000_000;
        let scatter = Scatter::new(n);
        let images: Vec<u64> = (0..64).map(|x| scatter.apply(x)).collect();
        let upper = images.iter().filter(|&&y| y >= n / 2).count();
        assert!(
            (16..=48).contains(&upper),
            "{upper} of 64 in the upper half"
        );
        assert!(images.iter().enumerate().all(|(x, &y)| y != x as u64));
    }
}
