//! Random numbers and stable mixing.
//!
//! Everything random in shardbench flows from this module, so that a run is a
//! pure function of its seed. The generator is xoshiro256++ (Blackman and
//! Vigna, 2018) seeded through SplitMix64 (Steele, Lea and Flood, 2014); both
//! are published algorithms with reference outputs, so results never change
//! with a dependency's version. Each chunk of the event stream gets its own
//! generator derived from `(seed, stream, chunk index)`, which is what makes a
//! run byte-identical at any thread count.

use std::convert::Infallible;

/// The SplitMix64 increment: 2^64 divided by the golden ratio.
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// Finalizer of SplitMix64 (Stafford's "Mix13" variant): a bijective,
/// well-avalanched 64-bit mix. Also the stable hash of integer keys.
#[inline(always)]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Combines a running hash with one more 64-bit value (order-sensitive).
#[inline(always)]
pub fn mix_combine(h: u64, v: u64) -> u64 {
    mix64(
        h ^ v
            .wrapping_add(GOLDEN_GAMMA)
            .wrapping_add(h << 6)
            .wrapping_add(h >> 2),
    )
}

/// Maps a 64-bit hash onto `0..n` without division (Lemire's multiply-shift).
/// Each output receives either floor or ceil of 2^64/n inputs.
#[inline(always)]
pub fn reduce(h: u64, n: u64) -> u64 {
    ((h as u128 * n as u128) >> 64) as u64
}

/// Exact remainder `x mod d` of 32-bit numbers by a fixed divisor, without
/// a division (Lemire, Kaser and Kurz, "Faster remainder by direct
/// computation", 2019): with M = floor((2^64 − 1) / d) + 1, x mod d =
/// floor(((M · x) mod 2^64) · d / 2^64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FastMod {
    m: u64,
    d: u32,
}

impl FastMod {
    /// The remainder by `d` (d > 0).
    pub fn new(d: u32) -> Self {
        assert!(d > 0, "a remainder needs a positive divisor");
        Self {
            m: (u64::MAX / d as u64).wrapping_add(1),
            d,
        }
    }

    /// `x mod d`.
    #[inline(always)]
    pub fn rem(&self, x: u32) -> u32 {
        let low = self.m.wrapping_mul(x as u64);
        ((low as u128 * self.d as u128) >> 64) as u32
    }

    /// The divisor.
    pub fn divisor(&self) -> u32 {
        self.d
    }
}

/// The SplitMix64 generator; used to seed [`Rng`] and as a cheap key stream.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose first output is `mix64(seed + GOLDEN_GAMMA)`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }
}

/// Names of independent random streams derived from one run seed.
///
/// Keeping them apart means that, for example, drawing the sample used to
/// build strategies never shifts the numbers of the main stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// The event stream itself.
    Events = 1,
    /// Salts, follower draws and other per-strategy choices made while routing.
    Routing = 2,
    /// Samples of the key space (storage, movement).
    KeySpace = 3,
    /// Strategy construction (random token allocation and the like).
    Build = 4,
    /// The latency simulation.
    Latency = 5,
}

/// xoshiro256++: the generator behind every random draw in a run.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// Seeds the four words of state from SplitMix64, as the authors advise.
    pub fn from_seed(seed: u64) -> Self {
        let mut sm = SplitMix64::new(seed);
        let s = [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()];
        Self { s }
    }

    /// The generator for one chunk of one stream of a run.
    pub fn for_chunk(seed: u64, stream: Stream, chunk: u64) -> Self {
        let key = mix_combine(mix_combine(mix64(seed), stream as u64), chunk);
        Self::from_seed(key)
    }

    /// The next 64 random bits.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    #[inline(always)]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform double in (0, 1]: safe to take the logarithm of.
    #[inline(always)]
    pub fn next_f64_open0(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..n` (n > 0), exactly unbiased (Lemire, 2019).
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let mut m = self.next_u64() as u128 * n as u128;
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = self.next_u64() as u128 * n as u128;
            }
        }
        (m >> 64) as u64
    }

    /// True with probability `p`.
    #[inline(always)]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }
}

impl rand_core::TryRng for Rng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next_u64() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference outputs of SplitMix64 seeded with 1234567, from the
    /// authors' C code (also used by the Java and Rust ports' tests).
    #[test]
    fn splitmix64_matches_reference_vector() {
        let mut sm = SplitMix64::new(1234567);
        let expected = [
            6457827717110365317,
            3203168211198807973,
            9817491932198370423,
            4593380528125082431,
            16408922859458223821,
        ];
        for e in expected {
            assert_eq!(sm.next_u64(), e);
        }
    }

    /// xoshiro256++ from state [1, 2, 3, 4]: the first outputs of the
    /// reference implementation.
    #[test]
    fn xoshiro256pp_matches_reference_vector() {
        let mut rng = Rng { s: [1, 2, 3, 4] };
        let expected = [
            41943041,
            58720359,
            3588806011781223,
            3591011842654386,
            9228616714210784205,
        ];
        for e in expected {
            assert_eq!(rng.next_u64(), e);
        }
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = Rng::from_seed(7);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            seen[rng.below(7) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800 && c < 1200), "{seen:?}");
    }

    #[test]
    fn fastmod_equals_the_remainder() {
        let mut rng = Rng::from_seed(3);
        for d in [1u32, 2, 3, 7, 64, 1000, 65_537, u32::MAX] {
            let m = FastMod::new(d);
            for x in [0u32, 1, d.wrapping_sub(1), d, u32::MAX] {
                assert_eq!(m.rem(x), x % d, "{x} mod {d}");
            }
            for _ in 0..10_000 {
                let x = rng.next_u64() as u32;
                assert_eq!(m.rem(x), x % d, "{x} mod {d}");
            }
        }
    }

    #[test]
    fn chunk_streams_differ() {
        let a = Rng::for_chunk(1, Stream::Events, 0).next_u64();
        let b = Rng::for_chunk(1, Stream::Events, 1).next_u64();
        let c = Rng::for_chunk(1, Stream::Routing, 0).next_u64();
        assert!(a != b && a != c && b != c);
    }
}
