//! A fixed pseudo-random bijection of `0..n`, used to scatter Zipf ranks
//! over the key space.
//!
//! The permutation is a four-round Feistel network on m-bit words, where
//! 2^m is the least power of two ≥ n. The word is split into a high half
//! of floor(m/2) bits and a low half of ceil(m/2) bits; the rounds
//! alternately XOR one half with a keyed hash of the other. Each round is
//! invertible, so the network permutes `0..2^m`. Restricting it to `0..n`
//! uses cycle walking: apply it again until the result is below n. That
//! stays a bijection (it follows each element's cycle to the next member
//! of `0..n`) and takes fewer than two steps on average, since 2^m < 2n.
//!
//! The round keys come from `mix64` of n and the round number, so the
//! permutation is a fixed function of n: the same on every run, machine
//! and thread count.

use crate::rng::{mix_combine, mix64};

/// Feistel rounds.
const ROUNDS: usize = 4;

/// Domain separator for the round keys.
const SCATTER_SEED: u64 = 0x5ca7_7e25_0f2a_4b1d;

/// Odd multiplier of the round function (2^64 divided by the golden ratio).
const ROUND_MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// A bijection of `0..n` that looks random.
#[derive(Clone, Debug)]
pub struct Scatter {
    n: u64,
    low_bits: u32,
    low_mask: u64,
    high_mask: u64,
    keys: [u64; ROUNDS],
}

impl Scatter {
    /// The permutation of `0..n` (n ≥ 1).
    pub fn new(n: u64) -> Self {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let low_bits = bits.div_ceil(2);
        let high_bits = bits / 2;
        let mut keys = [0u64; ROUNDS];
        for (r, key) in keys.iter_mut().enumerate() {
            *key = mix_combine(mix_combine(mix64(SCATTER_SEED), n), r as u64);
        }
        Self {
            n,
            low_bits,
            low_mask: (1u64 << low_bits) - 1,
            high_mask: (1u64 << high_bits) - 1,
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

    /// One pass of the Feistel network over `0..2^m`.
    #[inline(always)]
    fn network(&self, x: u64) -> u64 {
        let mut high = x >> self.low_bits;
        let mut low = x & self.low_mask;
        for (r, &key) in self.keys.iter().enumerate() {
            if r % 2 == 0 {
                high ^= round(low, key) & self.high_mask;
            } else {
                low ^= round(high, key) & self.low_mask;
            }
        }
        (high << self.low_bits) | low
    }
}

/// The keyed round function: a multiply whose high half is folded down,
/// so every output bit depends on every input bit (inputs have ≤ 32 bits).
#[inline(always)]
fn round(half: u64, key: u64) -> u64 {
    let h = (half ^ key).wrapping_mul(ROUND_MULTIPLIER);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_bijection_of_the_key_space() {
        for n in [1u64, 2, 3, 5, 64, 1000, 1024, 1025, 4097, 65_535] {
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
        for n in [u64::MAX, (1 << 63) + 1, 1 << 40] {
            let scatter = Scatter::new(n);
            for x in [0, 1, 2, n / 2, n - 1] {
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
