/// A two-sided confidence interval.
public struct ConfidenceInterval: Sendable, Equatable, Codable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }

    /// Whether the two intervals share at least one point.
    public func overlaps(_ other: ConfidenceInterval) -> Bool {
        max(low, other.low) <= min(high, other.high)
    }
}

/// Percentile bootstrap intervals for a mean, reproducible from a seed.
public enum Bootstrap {
    public static let defaultResamples = 1_000
    public static let defaultConfidence = 0.95

    /// Resamples `values` with replacement `resamples` times, takes each resample's mean, and
    /// returns the (1 − confidence)/2 and (1 + confidence)/2 quantiles of those means (2.5% and
    /// 97.5% by default). The same values, seed and settings give the same interval on every
    /// platform. nil for no values; one value gives a zero-width interval.
    public static func meanInterval(
        of values: [Double],
        resamples: Int = defaultResamples,
        confidence: Double = defaultConfidence,
        seed: UInt64
    ) throws(ScoringError) -> ConfidenceInterval? {
        try validate(resamples: resamples, confidence: confidence)
        guard !values.isEmpty else { return nil }
        var generator = SplitMix64(seed: seed)
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in values.indices {
                sum += values[generator.nextIndex(below: values.count)]
            }
            means.append(sum / Double(values.count))
        }
        means.sort()
        let tail = (1 - confidence) / 2
        return ConfidenceInterval(
            low: Quantile.interpolated(means, tail),
            high: Quantile.interpolated(means, 1 - tail))
    }

    /// `resamples` ≥ 1 and `confidence` strictly between 0 and 1.
    static func validate(resamples: Int, confidence: Double) throws(ScoringError) {
        guard resamples >= 1 else {
            throw ScoringError(
                code: .invalidArgument, field: "resamples",
                message: "must be at least 1, got \(resamples); the default is \(defaultResamples)")
        }
        guard confidence.isFinite, confidence > 0, confidence < 1 else {
            throw ScoringError(
                code: .invalidArgument, field: "confidence",
                message: "must be strictly between 0 and 1, got \(confidence); use 0.95 for a 95% interval")
        }
    }
}
