/// Everything a run may tune about scoring, with the defaults DESIGN.md fixes.
///
/// JSON (every key optional, left-out keys keep their defaults):
/// `{"weights": {...}, "judge_weights": {...}, "quality": {...}, "efficiency": {...}, "speed": {...},
///   "build_failure_scores_zero": true}`.
public struct ScoringConfig: Sendable, Equatable, Codable {
    /// Automated-score component weights (default 40 / 25 / 15 / 20).
    public var weights: ScoreWeights
    /// Final-score judge weights (default automated 40, staff 25, user 20, self/team review 7.5 each).
    public var judgeWeights: JudgeWeights
    public var quality: QualityCurve
    public var efficiency: EfficiencyCurve
    public var speed: SpeedScale
    /// When true (the default) a `build_failed` job's automated score is 0 whatever its other
    /// components: code that does not compile earns nothing for being tidy or quickly produced. The
    /// components are still reported, for diagnosis. When false it is the usual weighted mean with
    /// correctness 0.
    public var buildFailureScoresZero: Bool

    public static let `default` = ScoringConfig()

    public init(
        weights: ScoreWeights = .default,
        judgeWeights: JudgeWeights = .default,
        quality: QualityCurve = .default,
        efficiency: EfficiencyCurve = .default,
        speed: SpeedScale = .default,
        buildFailureScoresZero: Bool = true
    ) {
        self.weights = weights
        self.judgeWeights = judgeWeights
        self.quality = quality
        self.efficiency = efficiency
        self.speed = speed
        self.buildFailureScoresZero = buildFailureScoresZero
    }

    /// Validates every part; the error names the field, e.g. `weights.quality` or `speed.slow_ms`.
    public func validate() throws(ScoringError) {
        try weights.validate()
        try judgeWeights.validate()
        try quality.validate()
        try efficiency.validate()
        try speed.validate()
    }

    private enum CodingKeys: String, CodingKey {
        case weights
        case judgeWeights = "judge_weights"
        case quality
        case efficiency
        case speed
        case buildFailureScoresZero = "build_failure_scores_zero"
    }

    /// Keys left out keep their defaults; the result is validated.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            weights: try container.decodeIfPresent(ScoreWeights.self, forKey: .weights) ?? .default,
            judgeWeights: try container.decodeIfPresent(JudgeWeights.self, forKey: .judgeWeights) ?? .default,
            quality: try container.decodeIfPresent(QualityCurve.self, forKey: .quality) ?? .default,
            efficiency: try container.decodeIfPresent(EfficiencyCurve.self, forKey: .efficiency) ?? .default,
            speed: try container.decodeIfPresent(SpeedScale.self, forKey: .speed) ?? .default,
            buildFailureScoresZero: try container.decodeIfPresent(Bool.self, forKey: .buildFailureScoresZero) ?? true
        )
        try validate()
    }
}
