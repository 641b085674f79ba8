/// Quantiles by linear interpolation between closest ranks (the "type 7" definition used by R's
/// default `quantile` and NumPy's `percentile`): for p in 0...1 over n sorted values, the position is
/// p × (n − 1), interpolated between its neighbours. Used for p95 latency and bootstrap bounds.
enum Quantile {
    /// `sorted` must be ascending and non-empty; `p` is clamped to 0...1.
    static func interpolated(_ sorted: [Double], _ p: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of no values")
        let position = min(1, max(0, p)) * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
