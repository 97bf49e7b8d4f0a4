//! `hash`: a stable hash of the key, modulo the number of partitions.
//!
//! partition = (mix64(key) >> 32) mod N: the high 32 bits of the key's
//! SplitMix64 mix, reduced by an exact remainder (computed without a
//! division, see [`FastMod`]). Like every hash-mod-N scheme it balances
//! keys well and moves about N/(N+1) of them when a partition is added.

use crate::batch::{Batch, Rec};
use crate::error::SpecError;
use crate::rng::FastMod;
use crate::strategy::{BuildContext, HashValue, KeyFields, Strategy, place_by_hash};

/// The partition of a 64-bit key hash under hash-mod-N.
#[inline(always)]
pub fn partition_of(h: u64, n: &FastMod) -> u32 {
    n.rem((h >> 32) as u32)
}

/// Hash partitioning.
pub struct Hash {
    key: KeyFields,
    n: FastMod,
}

/// Builds `hash`; it takes no options.
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    ctx.spec.params.finish("hash")?;
    Ok(Box::new(Hash {
        key: KeyFields::new(&ctx.spec.key),
        n: FastMod::new(ctx.partitions),
    }))
}

impl Strategy for Hash {
    fn partitions(&self) -> u32 {
        self.n.divisor()
    }

    #[inline]
    fn place(&self, rec: Rec<'_>) -> u32 {
        partition_of(self.key.hash(rec), &self.n)
    }

    fn place_batch(&self, batch: &Batch, out: &mut Vec<u32>) {
        place_by_hash(&self.key, batch, out, |h| partition_of(h, &self.n));
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
    use crate::rng::mix64;

    #[test]
    fn partition_is_the_high_half_of_the_hash_mod_n() {
        for n in [1u32, 3, 64, 1000] {
            let m = FastMod::new(n);
            for k in 0..1000u64 {
                let h = mix64(k);
                assert_eq!(partition_of(h, &m) as u64, (h >> 32) % n as u64);
            }
        }
    }
}

/// Builders for other modules' tests.
#[cfg(test)]
pub mod tests_support {
    use super::*;

    /// `hash` over field 0 with `n` partitions.
    pub fn hash_over(n: u32) -> Box<dyn Strategy> {
        Box::new(Hash {
            key: KeyFields::new(&[0]),
            n: FastMod::new(n),
        })
    }
}
