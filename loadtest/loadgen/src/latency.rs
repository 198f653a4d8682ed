//! Publish→receive latency: an HDR histogram in microseconds, its percentile summary, and
//! its transport from a worker process to the parent.
//!
//! Range 1 µs – 60 s at 3 significant digits; a value above the range is recorded as the
//! maximum (a message that late is reported as ≥ 60 s rather than dropped). Workers send
//! the recorded buckets as `(value, count)` pairs; re-recording a bucket's highest
//! equivalent value lands in the same bucket, so the merge in the parent is exact.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Largest latency kept, in µs (larger values saturate to it).
pub const MAX_US: u64 = 60_000_000;

/// A latency histogram (µs).
#[derive(Debug, Clone)]
pub struct Latency {
    hist: Histogram<u64>,
}

/// Percentiles of a histogram, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Values recorded.
    pub count: u64,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest value.
    pub max_ms: f64,
}

impl Default for Latency {
    fn default() -> Self {
        Self::new()
    }
}

impl Latency {
    /// An empty histogram.
    pub fn new() -> Self {
        // The bounds are constants within hdrhistogram's limits.
        let hist = Histogram::new_with_bounds(1, MAX_US, 3)
            .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!()));
        Self { hist }
    }

    /// Records one latency in µs (0 counts as 1, beyond [`MAX_US`] as [`MAX_US`]).
    pub fn record_us(&mut self, us: u64) {
        self.hist.saturating_record(us.clamp(1, MAX_US));
    }

    /// Forgets everything recorded.
    pub fn reset(&mut self) {
        self.hist.reset();
    }

    /// Values recorded.
    pub fn len(&self) -> u64 {
        self.hist.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.hist.is_empty()
    }

    /// The recorded buckets as `(value, count)` pairs.
    pub fn to_pairs(&self) -> Vec<(u64, u64)> {
        self.hist
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect()
    }

    /// Adds buckets made by [`Latency::to_pairs`].
    pub fn add_pairs(&mut self, pairs: &[(u64, u64)]) {
        for &(value, count) in pairs {
            let _ = self.hist.record_n(value.clamp(1, MAX_US), count);
        }
    }

    /// Adds another histogram.
    pub fn add(&mut self, other: &Latency) {
        let _ = self.hist.add(&other.hist);
    }

    /// The percentiles.
    pub fn summary(&self) -> Summary {
        if self.hist.is_empty() {
            return Summary::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Summary {
            count: self.hist.len(),
            p50_ms: ms(self.hist.value_at_quantile(0.50)),
            p99_ms: ms(self.hist.value_at_quantile(0.99)),
            p999_ms: ms(self.hist.value_at_quantile(0.999)),
            max_ms: ms(self.hist.max()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_uniform_spread() {
        let mut l = Latency::new();
        for us in 1..=10_000 {
            l.record_us(us);
        }
        let s = l.summary();
        assert_eq!(s.count, 10_000);
        assert!((s.p50_ms - 5.0).abs() < 0.01, "{s:?}");
        assert!((s.p99_ms - 9.9).abs() < 0.01, "{s:?}");
        assert!((s.max_ms - 10.0).abs() < 0.01, "{s:?}");
    }

    #[test]
    fn pairs_round_trip_exactly_between_processes() {
        let mut a = Latency::new();
        for us in [3, 70, 70, 1_500, 250_000, 7_000_000] {
            a.record_us(us);
        }
        let json = serde_json::to_string(&a.to_pairs()).unwrap();
        let pairs: Vec<(u64, u64)> = serde_json::from_str(&json).unwrap();
        let mut b = Latency::new();
        b.add_pairs(&pairs);
        assert_eq!(a.summary(), b.summary());
        assert_eq!(b.len(), 6);
    }

    #[test]
    fn merging_adds_counts() {
        let mut a = Latency::new();
        let mut b = Latency::new();
        a.record_us(1_000);
        b.record_us(3_000);
        b.record_us(3_000);
        a.add(&b);
        let s = a.summary();
        assert_eq!(s.count, 3);
        assert!((s.p50_ms - 3.0).abs() < 0.01);
    }

    #[test]
    fn out_of_range_values_saturate_instead_of_vanishing() {
        let mut l = Latency::new();
        l.record_us(0);
        l.record_us(u64::MAX);
        assert_eq!(l.len(), 2);
        assert!(l.summary().max_ms >= 59_999.0);
    }

    #[test]
    fn an_empty_histogram_summarises_to_zeros() {
        assert_eq!(Latency::new().summary(), Summary::default());
    }
}
