//! Walker's alias method: O(1) draws from a fixed discrete distribution.
//!
//! The table is built once from weights (Vose's linear-time construction)
//! and then answers each draw with one 64-bit random number and one table
//! load. The engine uses it to pick each event's op from the op weights;
//! the `categorical` generator and the Zipf sampler's cell choice use it
//! too.
//!
//! The construction works in integers, so a table is a pure function of
//! its weights on every platform. The number of slots is padded to a power
//! of two, 2^p, and the whole probability space is divided into 2^64 units:
//! each slot holds 2^(64-p) units. A draw takes the top p bits of a random
//! word as the slot and compares the low 64-p bits with the slot's
//! threshold to choose between the slot and its alias. The probability of
//! each outcome is therefore exactly its share of units, which equals its
//! weight's share rounded to a multiple of 2^-64.

use crate::rng::Rng;

/// The most outcomes a table accepts (2^32).
const MAX_OUTCOMES: usize = 1 << 32;

/// A sampler of indices `0..len` with probabilities proportional to weights.
#[derive(Clone, Debug)]
pub struct AliasTable {
    /// Per slot: `alias << shift | threshold`, threshold < 2^shift.
    slots: Box<[u64]>,
    /// 64 - p, where 2^p is the number of slots.
    shift: u32,
    /// Number of real outcomes (slots beyond it have weight 0).
    len: usize,
}

impl AliasTable {
    /// A table over `weights.len()` outcomes.
    ///
    /// Weights must be finite and ≥ 0 with a positive sum; there must be
    /// between 1 and 2^32 of them. Outcome i is drawn with probability
    /// `w_i / Σw`, rounded to a multiple of 2^-64 (the rounding of the
    /// largest weight absorbs what the others lose, so the probabilities
    /// sum to exactly 1).
    pub fn new(weights: &[f64]) -> Result<Self, String> {
        let total = checked_total(weights)?;
        let p = weights.len().next_power_of_two().trailing_zeros().max(1);
        let shift = 64 - p;
        let units = scaled_units(weights, total, 1usize << p);
        let slots = vose(units, shift);
        Ok(Self {
            slots,
            shift,
            len: weights.len(),
        })
    }

    /// Number of outcomes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table has no outcomes (never true for a built table).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// One outcome in `0..len`.
    #[inline(always)]
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let x = rng.next_u64();
        let slot = (x >> self.shift) as usize;
        let entry = self.slots[slot];
        let mask = (1u64 << self.shift) - 1;
        if x & mask < entry & mask {
            slot
        } else {
            (entry >> self.shift) as usize
        }
    }

    /// The exact probability of outcome `i` that [`sample`](Self::sample)
    /// realizes (its weight's share, rounded to a multiple of 2^-64).
    pub fn probability(&self, i: usize) -> f64 {
        let mask = (1u64 << self.shift) - 1;
        let cell = 1u128 << self.shift;
        let mut units = 0u128;
        for (slot, &entry) in self.slots.iter().enumerate() {
            let threshold = (entry & mask) as u128;
            if slot == i {
                units += threshold;
            }
            if (entry >> self.shift) as usize == i {
                units += cell - threshold;
            }
        }
        units as f64 / 2f64.powi(64)
    }
}

/// Σw, after checking that the weights make a distribution.
fn checked_total(weights: &[f64]) -> Result<f64, String> {
    if weights.is_empty() || weights.len() > MAX_OUTCOMES {
        return Err(format!(
            "an alias table needs between 1 and 2^32 weights, got {}",
            weights.len()
        ));
    }
    if let Some((i, w)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| !w.is_finite() || **w < 0.0)
    {
        return Err(format!("weight {i} is {w}; weights must be finite and ≥ 0"));
    }
    let total: f64 = weights.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(format!(
            "weights sum to {total}; they must have a finite sum > 0"
        ));
    }
    Ok(total)
}

/// Each weight's share of 2^64 units, as integers that sum to exactly 2^64,
/// padded with zeros to `slots` entries.
fn scaled_units(weights: &[f64], total: f64, slots: usize) -> Vec<u128> {
    // w / total ≤ 1 stays finite even when the weights are subnormal.
    let full = 2f64.powi(64);
    let mut units: Vec<u128> = weights
        .iter()
        .map(|&w| (w / total * full) as u128)
        .collect();
    units.resize(slots, 0);

    // Rounding (of the shares and of the division) leaves the sum off by a
    // few units per weight; the largest weight absorbs the difference.
    let sum: u128 = units.iter().sum();
    let largest = (0..units.len())
        .max_by_key(|&i| (units[i], usize::MAX - i))
        .unwrap_or(0);
    let target = 1u128 << 64;
    if sum > target {
        units[largest] -= sum - target;
    } else {
        units[largest] += target - sum;
    }
    units
}

/// Vose's construction in exact integer arithmetic. Each slot can hold
/// 2^shift units; a slot with fewer units is topped up by an alias.
fn vose(mut units: Vec<u128>, shift: u32) -> Box<[u64]> {
    let cell = 1u128 << shift;
    let mut slots = vec![0u64; units.len()];
    let (mut small, mut large): (Vec<usize>, Vec<usize>) =
        (0..units.len()).partition(|&i| units[i] < cell);

    while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
        small.pop();
        slots[s] = ((l as u64) << shift) | units[s] as u64;
        units[l] -= cell - units[s];
        if units[l] < cell {
            large.pop();
            small.push(l);
        }
    }

    // The totals are exact, so every slot left holds exactly one cell:
    // it is its own alias and never needs the threshold.
    for i in large.into_iter().chain(small) {
        slots[i] = (i as u64) << shift;
    }
    slots.into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::testing::assert_fits;

    #[test]
    fn probabilities_match_weights_and_sum_to_one() {
        let weights = [3.0, 0.0, 1.0, 6.0, 0.5];
        let table = AliasTable::new(&weights).unwrap();
        let total: f64 = weights.iter().sum();
        let mut sum = 0.0;
        for (i, w) in weights.iter().enumerate() {
            let p = table.probability(i);
            assert!((p - w / total).abs() < 1e-15, "outcome {i}: {p}");
            sum += p;
        }
        assert!((sum - 1.0).abs() < 1e-15);
    }

    #[test]
    fn draws_fit_weights_chi_square() {
        let weights: Vec<f64> = (0..37).map(|i| ((i * 7919) % 13) as f64 + 0.25).collect();
        let table = AliasTable::new(&weights).unwrap();
        let total: f64 = weights.iter().sum();
        let probs: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let mut rng = Rng::from_seed(11);
        let mut counts = vec![0u64; weights.len()];
        for _ in 0..200_000 {
            counts[table.sample(&mut rng)] += 1;
        }
        assert_fits(&counts, &probs, "alias table over 37 weights");
    }

    #[test]
    fn zero_weight_outcomes_are_never_drawn() {
        let table = AliasTable::new(&[0.0, 1.0, 0.0, 0.0, 2.0]).unwrap();
        let mut rng = Rng::from_seed(3);
        for _ in 0..10_000 {
            let i = table.sample(&mut rng);
            assert!(i == 1 || i == 4, "drew {i}");
        }
    }

    #[test]
    fn tiny_weights_keep_their_proportions() {
        let table = AliasTable::new(&[1e-310, 3e-310]).unwrap();
        assert!((table.probability(0) - 0.25).abs() < 1e-12);
        assert!((table.probability(1) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn single_outcome_is_always_drawn() {
        let table = AliasTable::new(&[0.3]).unwrap();
        let mut rng = Rng::from_seed(5);
        assert!((0..1000).all(|_| table.sample(&mut rng) == 0));
        assert_eq!(table.probability(0), 1.0);
    }

    #[test]
    fn invalid_weights_are_errors() {
        assert!(AliasTable::new(&[]).is_err());
        assert!(AliasTable::new(&[0.0, 0.0]).is_err());
        assert!(AliasTable::new(&[1.0, -0.5]).is_err());
        assert!(AliasTable::new(&[1.0, f64::NAN]).is_err());
        assert!(AliasTable::new(&[1.0, f64::INFINITY]).is_err());
        assert!(AliasTable::new(&[f64::MAX, f64::MAX]).is_err());
    }
}
