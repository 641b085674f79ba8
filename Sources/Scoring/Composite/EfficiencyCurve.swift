/// Efficiency: the candidate's test-step CPU time against the reference solution's on the same node.
///
/// Both times are first raised to `minimumMeasurableSeconds` (default 1 ms) so that timer noise on
/// near-instant programs cannot produce huge ratios (or a division by zero). Then, with
/// ratio = candidate / reference:
///
///     ratio ≤ 1                      → 100  (as fast as the reference, or faster)
///     1 < ratio < zeroScoreRatio     → 100 × (1 − ln(ratio) / ln(zeroScoreRatio))
///     ratio ≥ zeroScoreRatio         → 0
///
/// Logarithmic because slowdowns multiply: with the default `zeroScoreRatio` of 10, 2× slower scores
/// about 70, 3× about 52, 5× about 30, 10× or worse 0.
public struct EfficiencyCurve: Sendable, Equatable, Codable {
    /// How many times slower than the reference scores 0.
    public var zeroScoreRatio: Double
    /// CPU times below this many seconds are treated as this many.
    public var minimumMeasurableSeconds: Double

    public static let `default` = EfficiencyCurve(zeroScoreRatio: 10, minimumMeasurableSeconds: 0.001)

    public init(zeroScoreRatio: Double, minimumMeasurableSeconds: Double) {
        self.zeroScoreRatio = zeroScoreRatio
        self.minimumMeasurableSeconds = minimumMeasurableSeconds
    }

    public func score(candidateSeconds: Double, referenceSeconds: Double) -> Double {
        let candidate = max(candidateSeconds, minimumMeasurableSeconds)
        let reference = max(referenceSeconds, minimumMeasurableSeconds)
        let ratio = candidate / reference
        guard ratio > 1 else { return 100 }
        guard ratio < zeroScoreRatio else { return 0 }
        return min(100, max(0, 100 * (1 - naturalLog(ratio) / naturalLog(zeroScoreRatio))))
    }

    /// `zero_score_ratio` finite and > 1; `minimum_measurable_s` finite and > 0.
    public func validate() throws(ScoringError) {
        guard zeroScoreRatio.isFinite, zeroScoreRatio > 1 else {
            throw ScoringError(
                code: .invalidArgument, field: "efficiency.zero_score_ratio",
                message: "must be a finite number > 1 (how many times slower than the reference scores 0), "
                    + "got \(zeroScoreRatio); the default is 10")
        }
        guard minimumMeasurableSeconds.isFinite, minimumMeasurableSeconds > 0 else {
            throw ScoringError(
                code: .invalidArgument, field: "efficiency.minimum_measurable_s",
                message: "must be a finite number of seconds > 0, got \(minimumMeasurableSeconds); the default is 0.001"
            )
        }
    }

    private enum CodingKeys: String, CodingKey {
        case zeroScoreRatio = "zero_score_ratio"
        case minimumMeasurableSeconds = "minimum_measurable_s"
    }

    /// Keys left out keep their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let fallback = Self.default
        zeroScoreRatio = try container.decodeIfPresent(Double.self, forKey: .zeroScoreRatio) ?? fallback.zeroScoreRatio
        minimumMeasurableSeconds =
            try container.decodeIfPresent(Double.self, forKey: .minimumMeasurableSeconds)
            ?? fallback.minimumMeasurableSeconds
    }
}
