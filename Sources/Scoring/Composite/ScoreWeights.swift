/// How much each component counts in the automated score.
///
/// Defaults: correctness 40, quality 25, efficiency 15, speed 20. Only ratios matter; a component
/// that is absent for a job drops out and the others are renormalised. JSON: `{"correctness": 40,
/// "quality": 25, "efficiency": 15, "speed": 20}`; decoding validates, and keys left out weigh 0.
public struct ScoreWeights: Sendable, Equatable, Codable {
    public var correctness: Double
    public var quality: Double
    public var efficiency: Double
    public var speed: Double

    public static let `default` = ScoreWeights(correctness: 40, quality: 25, efficiency: 15, speed: 20)

    /// Field path used in error messages.
    static let field = "weights"

    /// Not validated: call `validate()` (a `Scorer` does) before use.
    public init(correctness: Double, quality: Double, efficiency: Double, speed: Double) {
        self.correctness = correctness
        self.quality = quality
        self.efficiency = efficiency
        self.speed = speed
    }

    /// A run's `weights` object, validated. Names left out weigh 0; unknown names are an error.
    public init(validating raw: [String: Double]) throws(ScoringError) {
        let parsed = try WeightSet.parse(raw, as: ScoreComponent.self, field: Self.field)
        self.init(
            correctness: parsed[.correctness] ?? 0,
            quality: parsed[.quality] ?? 0,
            efficiency: parsed[.efficiency] ?? 0,
            speed: parsed[.speed] ?? 0)
    }

    public subscript(component: ScoreComponent) -> Double {
        switch component {
        case .correctness: correctness
        case .quality: quality
        case .efficiency: efficiency
        case .speed: speed
        }
    }

    /// Each weight finite and ≥ 0, positive sum; errors name the field, e.g. `weights.quality`.
    public func validate() throws(ScoringError) {
        try WeightSet.validate(ScoreComponent.allCases.map { ($0.rawValue, self[$0]) }, field: Self.field)
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([String: Double].self)
        try self.init(validating: raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: ScoreComponent.allCases.map { ($0.rawValue, self[$0]) }))
    }
}
