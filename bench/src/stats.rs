//! Medians and percentiles of measured rounds and latencies.
//!
//! Rounds are few (5 by default), so the median is what a reader should compare: one round
//! disturbed by the other node's background work moves it less than a mean.

use std::time::Duration;

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// The nearest-rank `p`-th percentile (0 < p ≤ 100) of latencies, in microseconds.
pub(crate) fn percentile_us(latencies: &mut [Duration], p: f64) -> Option<f64> {
    if latencies.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    latencies.sort_unstable();
    // Nearest rank: the smallest value with at least p % of the samples at or below it.
    let rank = ((p / 100.0) * latencies.len() as f64).ceil() as usize;
    let index = rank.clamp(1, latencies.len()) - 1;
    Some(latencies[index].as_secs_f64() * 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f64::NAN]), None);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut l: Vec<Duration> = (1..=100).rev().map(Duration::from_micros).collect();
        assert_eq!(percentile_us(&mut l, 50.0), Some(50.0));
        assert_eq!(percentile_us(&mut l, 99.0), Some(99.0));
        assert_eq!(percentile_us(&mut l, 100.0), Some(100.0));
        let mut one = vec![Duration::from_micros(250)];
        assert_eq!(percentile_us(&mut one, 50.0), Some(250.0));
        assert_eq!(percentile_us(&mut [], 50.0), None);
        assert_eq!(percentile_us(&mut one, 0.0), None);
    }
}
