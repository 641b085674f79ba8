/// Quality: lint findings per line of candidate code, turned into 0–100.
///
/// Findings are weighted by severity (error 3, warning 1, info 0.25 by default) and divided by the
/// lines of code (at least 1), giving a density per 100 lines. The score halves every
/// `halfScoreDensity` (default 10) weighted findings per 100 lines:
///
///     quality = 100 × 2^(−density / halfScoreDensity)
///
/// So no findings score 100; one warning in 50 lines (density 2) about 87; one error in 50 lines
/// (density 6) about 66; one error every 5 lines (density 60) under 2. The curve never rises with
/// more findings, never reaches 0, and needs no cap.
public struct QualityCurve: Sendable, Equatable, Codable {
    public var errorWeight: Double
    public var warningWeight: Double
    public var infoWeight: Double
    /// Weighted findings per 100 lines at which quality is 50.
    public var halfScoreDensity: Double

    public static let `default` = QualityCurve(errorWeight: 3, warningWeight: 1, infoWeight: 0.25, halfScoreDensity: 10)

    public init(errorWeight: Double, warningWeight: Double, infoWeight: Double, halfScoreDensity: Double) {
        self.errorWeight = errorWeight
        self.warningWeight = warningWeight
        self.infoWeight = infoWeight
        self.halfScoreDensity = halfScoreDensity
    }

    public func score(findings: FindingCounts, linesOfCode: Int) -> Double {
        let weighted =
            errorWeight * Double(max(0, findings.error))
            + warningWeight * Double(max(0, findings.warning))
            + infoWeight * Double(max(0, findings.info))
        // At least one line, so findings in an empty file still cost something.
        let density = 100 * weighted / Double(max(1, linesOfCode))
        return min(100, max(0, 100 * powerOfTwo(-density / halfScoreDensity)))
    }

    /// Severity weights finite and ≥ 0 and ordered error ≥ warning ≥ info; positive half-score density.
    public func validate() throws(ScoringError) {
        try Check.nonNegative(errorWeight, field: "quality.error_weight", code: .invalidArgument)
        try Check.nonNegative(warningWeight, field: "quality.warning_weight", code: .invalidArgument)
        try Check.nonNegative(infoWeight, field: "quality.info_weight", code: .invalidArgument)
        guard errorWeight >= warningWeight, warningWeight >= infoWeight else {
            throw ScoringError(
                code: .invalidArgument, field: "quality",
                message: "severity weights must not rank a milder finding above a worse one; "
                    + "keep error_weight ≥ warning_weight ≥ info_weight")
        }
        guard halfScoreDensity.isFinite, halfScoreDensity > 0 else {
            throw ScoringError(
                code: .invalidArgument, field: "quality.half_score_density",
                message: "must be a finite number > 0, got \(halfScoreDensity); the default is 10 per 100 lines")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case errorWeight = "error_weight"
        case warningWeight = "warning_weight"
        case infoWeight = "info_weight"
        case halfScoreDensity = "half_score_density"
    }

    /// Keys left out keep their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let fallback = Self.default
        errorWeight = try container.decodeIfPresent(Double.self, forKey: .errorWeight) ?? fallback.errorWeight
        warningWeight = try container.decodeIfPresent(Double.self, forKey: .warningWeight) ?? fallback.warningWeight
        infoWeight = try container.decodeIfPresent(Double.self, forKey: .infoWeight) ?? fallback.infoWeight
        halfScoreDensity =
            try container.decodeIfPresent(Double.self, forKey: .halfScoreDensity) ?? fallback.halfScoreDensity
    }
}
