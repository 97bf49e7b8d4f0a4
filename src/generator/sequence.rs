//! Monotonic ids or timestamps: event i has value
//! `start + floor(i / per_unit)`.
//!
//! The value is a function of the event's index alone, so it is the same
//! however the stream is cut into chunks. The division is done in double
//! precision (exact while i < 2^53); values saturate at `u64::MAX`.

use crate::generator::Generator;
use crate::rng::Rng;

/// A counter that advances by one every `per_unit` events.
#[derive(Clone, Debug)]
pub struct Sequence {
    start: u64,
    per_unit: f64,
}

impl Sequence {
    /// Values from `start`, `per_unit` (finite, > 0) events per unit.
    pub fn new(start: u64, per_unit: f64) -> Result<Self, String> {
        if !(per_unit.is_finite() && per_unit > 0.0) {
            return Err(format!(
                "sequence per_unit = {per_unit}; it must be finite and > 0"
            ));
        }
        Ok(Self { start, per_unit })
    }

    /// The value of event `index`.
    #[inline]
    pub fn value(&self, index: u64) -> u64 {
        // The quotient is ≥ 0, so truncation is the floor (saturating at
        // u64::MAX).
        let units = (index as f64 / self.per_unit) as u64;
        self.start.saturating_add(units)
    }
}

impl Generator for Sequence {
    fn sample(&self, _rng: &mut Rng, index: u64) -> u64 {
        self.value(index)
    }

    fn fill(&self, _rng: &mut Rng, start: u64, out: &mut [u64]) {
        for (i, v) in out.iter_mut().enumerate() {
            *v = self.value(start + i as u64);
        }
    }

    /// `start..value(events - 1) + 1` (just `start..start` for no events).
    fn domain(&self, events: u64) -> (u64, u64) {
        match events {
            0 => (self.start, self.start),
            _ => (self.start, self.value(events - 1).saturating_add(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_follow_the_index() {
        let seq = Sequence::new(100, 2.5).unwrap();
        let mut rng = Rng::from_seed(1);
        let mut out = vec![0u64; 8];
        seq.fill(&mut rng, 3, &mut out);
        // Indices 3..11 divided by 2.5: 1.2, 1.6, 2, 2.4, 2.8, 3.2, 3.6, 4.
        assert_eq!(out, [101, 101, 102, 102, 102, 103, 103, 104]);
        assert_eq!(seq.sample(&mut rng, 0), 100);
        assert_eq!(seq.domain(11), (100, 105));
        assert_eq!(seq.domain(0), (100, 100));
    }

    #[test]
    fn fractional_rate_skips_values() {
        let seq = Sequence::new(0, 0.25).unwrap();
        let mut rng = Rng::from_seed(1);
        assert_eq!(seq.sample(&mut rng, 3), 12);
        assert_eq!(seq.domain(4), (0, 13));
    }

    #[test]
    fn saturates_instead_of_overflowing() {
        let seq = Sequence::new(u64::MAX - 1, 1e-30).unwrap();
        assert_eq!(seq.value(5), u64::MAX);
        assert_eq!(seq.domain(10).1, u64::MAX);
    }

    #[test]
    fn invalid_rates_are_errors() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(Sequence::new(0, bad).is_err(), "{bad}");
        }
    }
}
