//! Fan-out of posts to followers' timelines, and its hybrid alternative.
//!
//! User u (rank u + 1) has F(u) = max(min, floor(max · (u+1)^−exponent))
//! followers, capped at users − 1. Followers are modelled as users drawn
//! independently and uniformly from the user key space, so the timeline
//! writes of one post land on partition i with probability p_i, the share
//! of the user key space the strategy stores on partition i. The F writes
//! of a post are therefore Multinomial(F; p_1..p_N) over the partitions,
//! and are drawn as such: one alias draw per follower when F is small,
//! and N conditional binomials when it is large, x_i ~ Binomial(F − Σ_{j<i}
//! x_j, p_i / Σ_{j≥i} p_j). A post with millions of followers costs N
//! draws, not millions of events, and the per-partition counts are exact
//! in distribution.
//!
//! The hybrid model does not fan out posts of celebrities (F ≥ threshold).
//! A timeline read then also fetches the posts of every celebrity the
//! reader follows, from the celebrity's own partition; the reader follows
//! celebrity c with probability F(c) / users.

use rand_distr::{Binomial, Distribution};

use crate::batch::Batch;
use crate::generator::AliasTable;
use crate::rng::Rng;
use crate::strategy::{Strategy, Touch};
use crate::workload::FanoutSpec;

/// Posts with at most this many followers are spread one draw per
/// follower; above it, N binomial draws are cheaper.
const DIRECT_MAX: u64 = 1024;

/// The most celebrities the hybrid model tracks.
pub const MAX_CELEBRITIES: usize = 4096;

/// The follower model of a workload, shared by all strategies.
pub struct Followers {
    /// The spec.
    pub spec: FanoutSpec,
    /// Size of the user key space.
    pub users: u64,
    /// Celebrity keys (followers ≥ threshold), most followed first, with
    /// the probability that a given reader follows each, as a threshold
    /// on a uniform 32-bit draw (so p is resolved to 2^-32).
    pub celebrities: Vec<(u64, u32)>,
}

impl Followers {
    /// The model for `spec` over a user key space `lo..hi`.
    pub fn new(spec: &FanoutSpec, domain: (u64, u64)) -> Self {
        let users = domain.1.saturating_sub(domain.0).max(1);
        let mut celebrities = Vec::new();
        for key in domain.0..domain.1 {
            let f = spec.followers.of(key - domain.0, users);
            if f < spec.celebrity_threshold || celebrities.len() == MAX_CELEBRITIES {
                break;
            }
            let p = f as f64 / users as f64;
            let threshold = (p * 2f64.powi(32)).round().min(u32::MAX as f64) as u32;
            celebrities.push((key, threshold));
        }
        Self {
            spec: spec.clone(),
            users,
            celebrities,
        }
    }

    /// Followers of `author`.
    #[inline]
    pub fn of(&self, author: u64) -> u64 {
        self.spec.followers.of(author, self.users)
    }

    /// True when the hybrid model fans `author`'s posts out on read.
    #[inline]
    pub fn is_celebrity(&self, author: u64) -> bool {
        self.of(author) >= self.spec.celebrity_threshold
    }

    /// Appends the indices of the celebrities one reader follows: one
    /// independent 32-bit uniform per celebrity, two from each 64-bit draw.
    pub fn followed(&self, rng: &mut Rng, out: &mut Vec<u16>) {
        for (pair, chunk) in self.celebrities.chunks(2).enumerate() {
            let bits = rng.next_u64();
            let draws = [bits as u32, (bits >> 32) as u32];
            for (j, &(_, threshold)) in chunk.iter().enumerate() {
                if draws[j] < threshold {
                    out.push((2 * pair + j) as u16);
                }
            }
        }
    }
}

/// One strategy's view of the follower model.
pub struct Spreader {
    shares: Vec<f64>,
    alias: Option<AliasTable>,
    /// The partitions a read of each celebrity's posts touches: its home,
    /// or all its sub-keys' partitions when the strategy salts it.
    pub celebrity_reads: Vec<Touch>,
}

impl Spreader {
    /// `key_counts[i]` is the user keys stored on partition i.
    pub fn new(
        strategy: &dyn Strategy,
        followers: &Followers,
        key_counts: &[u64],
        fields: usize,
    ) -> Self {
        let total: u64 = key_counts.iter().sum();
        let shares: Vec<f64> = key_counts
            .iter()
            .map(|&c| c as f64 / total.max(1) as f64)
            .collect();
        let alias = AliasTable::new(&shares).ok();

        let mut batch = Batch::new(fields);
        for &(key, _) in &followers.celebrities {
            batch.ops.push(0);
            for (f, col) in batch.cols.iter_mut().enumerate() {
                col.push(if f == followers.spec.field { key } else { 0 });
            }
        }
        let mut homes = Vec::new();
        strategy.place_batch(&batch, &mut homes);
        let celebrity_reads = homes
            .iter()
            .enumerate()
            .map(|(i, &home)| strategy.read(batch.rec(i), home))
            .collect();
        Self {
            shares,
            alias,
            celebrity_reads,
        }
    }

    /// Adds the timeline writes of a post with `f` followers to `load`.
    pub fn spread(&self, f: u64, rng: &mut Rng, load: &mut [u64]) {
        let Some(alias) = &self.alias else { return };
        if f <= DIRECT_MAX {
            for _ in 0..f {
                load[alias.sample(rng)] += 1;
            }
            return;
        }
        let mut left = f;
        let mut mass = 1.0;
        for (i, &p) in self.shares.iter().enumerate() {
            if left == 0 {
                break;
            }
            let x = if i + 1 == self.shares.len() || mass <= p {
                left
            } else {
                let q = (p / mass).clamp(0.0, 1.0);
                match Binomial::new(left, q) {
                    Ok(b) => b.sample(rng),
                    Err(_) => 0,
                }
            };
            load[i] += x;
            left -= x;
            mass -= p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{FanoutMode, FollowersSpec};

    fn spec() -> FanoutSpec {
        FanoutSpec {
            post_op: 0,
            read_op: 1,
            field: 0,
            followers: FollowersSpec {
                max: 1_000_000,
                exponent: 1.0,
                min: 3,
            },
            celebrity_threshold: 100_000,
            mode: FanoutMode::Write,
        }
    }

    #[test]
    fn follower_counts_follow_the_power_law_with_a_floor() {
        let f = Followers::new(&spec(), (0, 10_000_000));
        assert_eq!(f.of(0), 1_000_000);
        assert_eq!(f.of(9), 100_000);
        assert_eq!(f.of(999_999), 3);
        assert_eq!(f.celebrities.len(), 10);
        assert!(f.is_celebrity(9) && !f.is_celebrity(10));
    }

    /// Multinomial(F; p): each partition's count has mean F·p_i and
    /// variance F·p_i·(1−p_i). Checked over many large posts with a
    /// z-test per partition at |z| < 5.
    #[test]
    fn large_posts_spread_multinomially() {
        let shares = [1u64, 2, 3, 4];
        let strategy = crate::strategy::hash::tests_support::hash_over(4);
        let followers = Followers::new(&spec(), (0, 1000));
        let s = Spreader::new(strategy.as_ref(), &followers, &shares, 1);
        let mut rng = Rng::from_seed(9);
        let (posts, f) = (400u64, 1_000_000u64);
        let mut load = [0u64; 4];
        for _ in 0..posts {
            s.spread(f, &mut rng, &mut load);
        }
        assert_eq!(load.iter().sum::<u64>(), posts * f);
        for (i, &c) in load.iter().enumerate() {
            let p = shares[i] as f64 / 10.0;
            let mean = (posts * f) as f64 * p;
            let sd = ((posts * f) as f64 * p * (1.0 - p)).sqrt();
            let z = (c as f64 - mean) / sd;
            assert!(z.abs() < 5.0, "partition {i}: z = {z}");
        }
    }

    /// Small posts use one alias draw per follower: chi-square over the
    /// four partitions, 3 degrees of freedom, α = 0.001 (critical 16.27).
    #[test]
    fn small_posts_spread_by_share() {
        let shares = [1u64, 1, 2, 4];
        let strategy = crate::strategy::hash::tests_support::hash_over(4);
        let followers = Followers::new(&spec(), (0, 1000));
        let s = Spreader::new(strategy.as_ref(), &followers, &shares, 1);
        let mut rng = Rng::from_seed(11);
        let mut load = [0u64; 4];
        for _ in 0..2000 {
            s.spread(100, &mut rng, &mut load);
        }
        let total = 200_000.0;
        let chi2: f64 = load
            .iter()
            .zip(shares)
            .map(|(&o, w)| {
                let e = total * w as f64 / 8.0;
                (o as f64 - e).powi(2) / e
            })
            .sum();
        assert!(chi2 < 16.27, "chi2 = {chi2}");
    }
}
