//! Samples of one figure and their order statistics.

use serde::Serialize;

#[derive(Debug, Clone, Default)]
pub(crate) struct Samples(Vec<f64>);

/// What a table or JSON shows of a set of samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Summary {
    pub n: usize,
    pub min: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

impl Samples {
    pub(crate) fn push(&mut self, value: f64) {
        if value.is_finite() {
            self.0.push(value);
        }
    }

    /// Nearest-rank percentile (`p` in 0–100): always one of the samples, so a
    /// p99 of 20 samples is honestly their maximum.
    pub(crate) fn percentile(&self, p: f64) -> Option<f64> {
        if self.0.is_empty() {
            return None;
        }
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        Some(sorted[rank.clamp(1, sorted.len()) - 1])
    }

    pub(crate) fn summary(&self) -> Option<Summary> {
        let pct = |p| self.percentile(p);
        Some(Summary {
            n: self.0.len(),
            min: pct(0.0)?,
            p50: pct(50.0)?,
            p90: pct(90.0)?,
            p99: pct(99.0)?,
            max: pct(100.0)?,
            mean: self.0.iter().sum::<f64>() / self.0.len() as f64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::default();
        for v in [5.0, 1.0, 4.0, 2.0, 3.0, f64::NAN] {
            s.push(v);
        }
        let sum = s.summary().unwrap();
        assert_eq!((sum.n, sum.min, sum.p50, sum.max), (5, 1.0, 3.0, 5.0));
        assert_eq!(sum.p90, 5.0);
        assert_eq!(sum.mean, 3.0);
        assert!(Samples::default().summary().is_none());
    }

    #[test]
    fn ordered_whatever_the_samples() {
        let mut s = Samples::default();
        for i in 0..200 {
            s.push(f64::from((i * 7919) % 211));
        }
        let sum = s.summary().unwrap();
        assert!(
            sum.min <= sum.p50 && sum.p50 <= sum.p90 && sum.p90 <= sum.p99 && sum.p99 <= sum.max
        );
    }
}
