//! `hash`: a stable hash of the key, reduced onto the partitions.
//!
//! partition = floor(mix64(key) * N / 2^64), Lemire's multiply-shift
//! reduction: like `mix64(key) mod N` it gives each partition an equal share
//! of the hash space, without a division on the hot path. Adding a
//! partition moves about N/(N+1) of the keys.

use crate::batch::{Batch, Rec};
use crate::error::SpecError;
use crate::rng::reduce;
use crate::strategy::{BuildContext, HashValue, KeyFields, Strategy};

/// Hash partitioning.
pub struct Hash {
    key: KeyFields,
    n: u32,
}

/// Builds `hash`; it takes no options.
pub fn build(ctx: &BuildContext<'_>) -> Result<Box<dyn Strategy>, SpecError> {
    ctx.spec.params.finish("hash")?;
    Ok(Box::new(Hash {
        key: KeyFields::new(&ctx.spec.key),
        n: ctx.partitions,
    }))
}

impl Strategy for Hash {
    fn partitions(&self) -> u32 {
        self.n
    }

    #[inline]
    fn place(&self, rec: Rec<'_>) -> u32 {
        reduce(self.key.hash(rec), self.n as u64) as u32
    }

    fn place_batch(&self, batch: &Batch, out: &mut Vec<u32>) {
        let n = self.n as u64;
        match self.key.fields() {
            [f] => out.extend(
                batch.cols[*f]
                    .iter()
                    .map(|&k| reduce(crate::rng::mix64(k), n) as u32),
            ),
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

/// Builders for other modules' tests.
#[cfg(test)]
pub mod tests_support {
    use super::*;

    /// `hash` over field 0 with `n` partitions.
    pub fn hash_over(n: u32) -> Box<dyn Strategy> {
        Box::new(Hash {
            key: KeyFields::new(&[0]),
            n,
        })
    }
}
