/// A weighted mean over the values that are present.
///
/// Absent values (nil) drop out together with their weight, so the remaining weights are
/// renormalised: with weights 40/25/15/20 and efficiency absent, the others count 40/85, 25/85, 20/85.
enum WeightedMean {
    /// Returns nil when no present value carries a positive weight (nothing to average).
    /// The result is clamped to the range of its inputs' scale, 0...100, to absorb rounding.
    static func renormalised(_ terms: [(value: Double?, weight: Double)]) -> Double? {
        var weightedSum = 0.0
        var weightTotal = 0.0
        for term in terms {
            guard let value = term.value, term.weight > 0 else { continue }
            weightedSum += value * term.weight
            weightTotal += term.weight
        }
        guard weightTotal > 0 else { return nil }
        return min(100, max(0, weightedSum / weightTotal))
    }
}

/// The arithmetic mean, nil for no values.
func mean(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    return values.reduce(0, +) / Double(values.count)
}
